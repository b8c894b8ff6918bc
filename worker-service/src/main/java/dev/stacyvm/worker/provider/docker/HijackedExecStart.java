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
        try (Connection connection = open(dockerHost, execId, false)) {
            Thread feeder = Thread.ofVirtual().name("exec-stdin-" + execId).start(() -> {
                try {
                    stdin.transferTo(connection.toCommand());
                } catch (IOException failed) {
                    inputFailure.set(failed);
                } finally {
                    connection.endInput();
                }
            });
            Thread watchdog = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(timeout.toMillis());
                    connection.close();
                } catch (InterruptedException done) {
                    // finished in time
                }
            });
            boolean complete = readFrames(connection.fromCommand(), stdout, stderr);
            watchdog.interrupt();
            feeder.interrupt();
            return complete;
        }
    }

    /**
     * An exec's hijacked connection, started: what is written to {@link #toCommand()} is the
     * command's stdin; {@link #fromCommand()} is its output, raw bytes for an exec with a TTY, else
     * the engine's multiplexed frames ({@link #readFrame}).
     */
    static final class Connection implements AutoCloseable {
        private final SocketChannel channel;
        private final InputStream fromCommand;
        private final OutputStream toCommand;

        private Connection(SocketChannel channel) {
            this.channel = channel;
            this.fromCommand = Channels.newInputStream(channel);
            this.toCommand = Channels.newOutputStream(channel);
        }

        InputStream fromCommand() {
            return fromCommand;
        }

        OutputStream toCommand() {
            return toCommand;
        }

        /** Ends the command's stdin (the engine passes it on as end of file); output still comes. */
        void endInput() {
            try {
                channel.shutdownOutput();
            } catch (IOException ignored) {
                // the connection is already gone
            }
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closed either way
            }
        }
    }

    /**
     * Starts a created exec (attached, stdin included) on a connection of its own.
     *
     * @param tty whether the exec was created with a TTY: its output is then raw, not framed
     * @throws IOException when the engine cannot be reached or refuses the start
     */
    static Connection open(String dockerHost, String execId, boolean tty) throws IOException {
        SocketChannel channel = SocketChannel.open(address(dockerHost));
        Connection connection = new Connection(channel);
        try {
            byte[] body = ("{\"Detach\":false,\"Tty\":" + tty + "}").getBytes(StandardCharsets.UTF_8);
            String request = "POST /exec/" + execId + "/start HTTP/1.1\r\n"
                    + "Host: docker\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Upgrade: tcp\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n";
            connection.toCommand.write(request.getBytes(StandardCharsets.US_ASCII));
            connection.toCommand.write(body);
            connection.toCommand.flush();
            readResponseHead(connection.fromCommand);
            return connection;
        } catch (IOException | RuntimeException failed) {
            connection.close();
            throw failed;
        }
    }

    /** One frame of a multiplexed (TTY-less) exec: its stream (1 stdout, 2 stderr) and payload. */
    record Frame(int stream, byte[] payload) {
    }

    /**
     * Reads the next frame of a TTY-less exec's output.
     *
     * @return the frame, or null at the end of the output
     */
    static Frame readFrame(InputStream in) throws IOException {
        byte[] header = new byte[8];
        if (!readFully(in, header, 8)) {
            return null;
        }
        int length = ByteBuffer.wrap(header, 4, 4).getInt();
        if (length < 0 || length > 16 * 1024 * 1024) {
            throw new IOException("the Docker engine sent a malformed output frame");
        }
        byte[] payload = new byte[length];
        if (!readFully(in, payload, length)) {
            return null;
        }
        return new Frame(header[0], payload);
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
