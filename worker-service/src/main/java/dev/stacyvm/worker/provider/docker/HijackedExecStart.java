package dev.stacyvm.worker.provider.docker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Starts a Docker exec whose stdin is a stream, speaking the engine's hijacked-connection protocol
 * directly: docker-java's transports never half-close the connection when the input ends, so the
 * command would wait for more input forever. Here the write side is shut down at the end of the
 * input (or when the input fails), which the engine passes on as end of file, while stdout and
 * stderr (the engine's 8-byte-header frames) are read until the command closes them.
 */
final class HijackedExecStart {

    private static final int STDERR = 2;
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private HijackedExecStart() {
    }

    /**
     * @param stdout receives stdout as it comes; a failing write ends the exec's connection
     * @param stderr keeps up to 8 KiB of stderr
     * @return whether the command's output ended within {@code timeout}
     */
    static boolean run(String dockerHost, String execId, InputStream stdin, OutputStream stdout,
                       StringBuilder stderr, Duration timeout) throws IOException {
        AtomicReference<IOException> inputFailure = new AtomicReference<>();
        try (SocketChannel channel = SocketChannel.open(address(dockerHost))) {
            byte[] body = "{\"Detach\":false,\"Tty\":false}".getBytes(StandardCharsets.UTF_8);
            String request = "POST /exec/" + execId + "/start HTTP/1.1\r\n"
                    + "Host: docker\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Upgrade: tcp\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n";
            OutputStream toEngine = Channels.newOutputStream(channel);
            toEngine.write(request.getBytes(StandardCharsets.US_ASCII));
            toEngine.write(body);
            toEngine.flush();
            InputStream fromEngine = Channels.newInputStream(channel);
            readResponseHead(fromEngine);

            Thread feeder = Thread.ofVirtual().name("exec-stdin-" + execId).start(() -> {
                try {
                    stdin.transferTo(toEngine);
                } catch (IOException failed) {
                    inputFailure.set(failed);
                } finally {
                    try {
                        channel.shutdownOutput();
                    } catch (IOException ignored) {
                        // the connection is already gone
                    }
                }
            });
            Thread watchdog = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(timeout.toMillis());
                    channel.close();
                } catch (InterruptedException | IOException done) {
                    // finished in time, or closed anyway
                }
            });
            boolean complete = readFrames(fromEngine, stdout, stderr);
            watchdog.interrupt();
            feeder.interrupt();
            return complete;
        }
    }

    private static SocketAddress address(String dockerHost) {
        URI uri = URI.create(dockerHost);
        if ("unix".equals(uri.getScheme())) {
            return UnixDomainSocketAddress.of(uri.getPath());
        }
        return new InetSocketAddress(uri.getHost(), uri.getPort());
    }

    private static void readResponseHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] terminator = {'\r', '\n', '\r', '\n'};
        while (matched < terminator.length) {
            int b = in.read();
            if (b < 0 || head.size() > MAX_HEADER_BYTES) {
                throw new IOException("the Docker engine closed the exec connection early");
            }
            head.write(b);
            matched = b == terminator[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String status = head.toString(StandardCharsets.US_ASCII).lines().findFirst().orElse("");
        if (!status.contains(" 101 ") && !status.contains(" 200 ")) {
            throw new IOException("the Docker engine refused to start the exec: " + status);
        }
    }

    /** @return true when the engine ended the stream, false when the connection broke off */
    private static boolean readFrames(InputStream in, OutputStream stdout, StringBuilder stderr) {
        byte[] header = new byte[8];
        byte[] buffer = new byte[64 * 1024];
        boolean stdoutOpen = stdout != null;
        try {
            while (true) {
                if (!readFully(in, header, 8)) {
                    return true;
                }
                int stream = header[0];
                long remaining = ByteBuffer.wrap(header, 4, 4).getInt() & 0xffffffffL;
                while (remaining > 0) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                    if (n < 0) {
                        return true;
                    }
                    remaining -= n;
                    if (stream == STDERR) {
                        if (stderr.length() < 8192) {
                            stderr.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                        }
                    } else if (stdoutOpen) {
                        try {
                            stdout.write(buffer, 0, n);
                        } catch (IOException receiverGone) {
                            throw new java.io.UncheckedIOException(receiverGone);
                        }
                    }
                }
            }
        } catch (IOException broken) {
            return false;
        }
    }

    private static boolean readFully(InputStream in, byte[] target, int length) throws IOException {
        int read = 0;
        while (read < length) {
            int n = in.read(target, read, length - read);
            if (n < 0) {
                return false;
            }
            read += n;
        }
        return true;
    }
}
