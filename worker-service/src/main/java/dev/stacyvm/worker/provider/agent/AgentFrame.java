package dev.stacyvm.worker.provider.agent;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * One frame of the agent protocol (docs/agent-protocol.md, "Frames"): a type byte, a big-endian
 * 32-bit length and that many bytes of payload, at most {@link #MAX_PAYLOAD}.
 *
 * @param type    one of the type constants here
 * @param payload its bytes (JSON for the control frames, raw bytes for stdin and output)
 */
public record AgentFrame(int type, byte[] payload) {

    public static final int HELLO = 0x01;
    public static final int REQUEST = 0x02;
    public static final int ACCEPTED = 0x03;
    public static final int ERROR = 0x04;
    public static final int STDIN = 0x10;
    public static final int STDIN_CLOSE = 0x11;
    public static final int RESIZE = 0x12;
    public static final int STDOUT = 0x20;
    public static final int STDERR = 0x21;
    public static final int EXIT = 0x22;

    /** The largest payload either side sends or accepts: 1 MiB. */
    public static final int MAX_PAYLOAD = 1 << 20;

    /**
     * Reads the next frame.
     *
     * @throws EOFException when the stream ends at a frame boundary (the agent closed)
     * @throws AgentProtocolException for a payload over {@link #MAX_PAYLOAD}, or a stream cut inside a frame
     */
    public static AgentFrame read(InputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("the agent closed the connection");
        }
        DataInputStream data = new DataInputStream(in);
        int length;
        byte[] payload;
        try {
            length = data.readInt();
            if (length < 0 || length > MAX_PAYLOAD) {
                throw new AgentProtocolException("a frame of " + Integer.toUnsignedString(length) + " bytes");
            }
            payload = new byte[length];
            data.readFully(payload);
        } catch (EOFException cut) {
            throw new AgentProtocolException("the connection ended inside a frame");
        }
        return new AgentFrame(type, payload);
    }

    /** Writes {@code payload[offset, offset+length)} as one frame of {@code type}; the caller flushes. */
    public static void write(OutputStream out, int type, byte[] payload, int offset, int length) throws IOException {
        if (length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("a frame carries at most " + MAX_PAYLOAD + " bytes");
        }
        out.write(header(type, length));
        out.write(payload, offset, length);
    }

    /** The five bytes that start a frame of {@code type} with {@code length} bytes of payload. */
    static byte[] header(int type, int length) {
        if (length < 0 || length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("a frame carries at most " + MAX_PAYLOAD + " bytes");
        }
        return new byte[] {(byte) type, (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }
}
