package dev.stacyvm.worker.provider.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A process the sandbox's agent started for the worker, and the connection it runs on
 * (docs/agent-protocol.md, "Operation spawn"). Its output arrives as {@link #next()} frames,
 * {@code STDOUT} and {@code STDERR} in the order written, then one {@code EXIT}; closing the
 * connection before that has the agent terminate the process. Stdin and resizes may be sent from
 * another thread than the one reading.
 */
public final class AgentProcess implements Closeable {

    /** Control frames (stdin's end, resizes) go through a buffer of this many bytes. */
    static final int CHUNK = 32 * 1024;
    /**
     * Stdin goes out in frames of at most this many bytes: a request body's chunk (256 KiB), so an
     * upload crosses in one frame per chunk, each one gathering write of header and payload.
     */
    static final int STDIN_CHUNK = 256 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;
    private final int pid;
    private volatile boolean exited;

    AgentProcess(SocketChannel channel, InputStream in, int pid) {
        this.channel = channel;
        this.in = in;
        this.out = new BufferedOutputStream(ChannelStreams.output(channel), CHUNK + 5);
        this.pid = pid;
    }

    static AgentProcess over(SocketChannel channel, int pid, BufferedInputStream in) {
        return new AgentProcess(channel, in, pid);
    }

    /** The process's id inside the sandbox. */
    public int pid() {
        return pid;
    }

    /**
     * The next frame of output: {@link AgentFrame#STDOUT}, {@link AgentFrame#STDERR} or, last,
     * {@link AgentFrame#EXIT} (see {@link #exitCode(AgentFrame)}).
     *
     * @throws java.io.EOFException when the connection ended before {@code EXIT} (the agent died, or this was closed)
     * @throws AgentProtocolException for any other frame, or a malformed one
     */
    public AgentFrame next() throws IOException {
        if (exited) {
            throw new java.io.EOFException("the process has exited");
        }
        AgentFrame frame = AgentFrame.read(in);
        switch (frame.type()) {
            case AgentFrame.STDOUT, AgentFrame.STDERR -> {
                return frame;
            }
            case AgentFrame.EXIT -> {
                exitCode(frame);
                exited = true;
                return frame;
            }
            default -> throw new AgentProtocolException("an unexpected frame of type " + frame.type() + " from the agent");
        }
    }

    /** The exit status an {@code EXIT} frame reports (128 + the signal when a signal ended the process). */
    public static int exitCode(AgentFrame exit) throws AgentProtocolException {
        try {
            JsonNode code = JSON.readTree(exit.payload()).get("exit_code");
            if (code == null || !code.canConvertToInt() || code.asInt() < 0 || code.asInt() > 255) {
                throw new AgentProtocolException("an EXIT frame without an exit code from 0 to 255");
            }
            return code.asInt();
        } catch (IOException malformed) {
            throw new AgentProtocolException("a malformed EXIT frame");
        }
    }

    /** Passes {@code length} bytes on to the process's stdin (or its terminal). */
    public synchronized void stdin(byte[] bytes, int offset, int length) throws IOException {
        for (int sent = 0; sent < length; sent += STDIN_CHUNK) {
            int n = Math.min(STDIN_CHUNK, length - sent);
            ByteBuffer[] frame = {ByteBuffer.wrap(AgentFrame.header(AgentFrame.STDIN, n)), ByteBuffer.wrap(bytes, offset + sent, n)};
            while (frame[1].hasRemaining()) {
                channel.write(frame);
            }
        }
    }

    /** Closes the process's stdin (on a terminal this does nothing: send ^D). */
    public synchronized void closeStdin() throws IOException {
        AgentFrame.write(out, AgentFrame.STDIN_CLOSE, new byte[0], 0, 0);
        out.flush();
    }

    /** Sets the terminal's size; a process without one ignores it. */
    public synchronized void resize(int cols, int rows) throws IOException {
        byte[] size = ("{\"cols\":" + cols + ",\"rows\":" + rows + "}").getBytes(StandardCharsets.US_ASCII);
        AgentFrame.write(out, AgentFrame.RESIZE, size, 0, size.length);
        out.flush();
    }

    /** Whether {@code EXIT} has been read. */
    public boolean exited() {
        return exited;
    }

    /** Ends the connection; a process still running is terminated by the agent, with all it started. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closed either way
        }
    }
}
