package dev.stacyvm.systemtests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket client on a plain socket (RFC 6455), so a test sees exactly what crosses the wire:
 * the handshake's status and headers as the server sent them, and each frame with its FIN bit and
 * opcode. Reads wait at most 30 s.
 */
final class RawWebSocket implements AutoCloseable {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One frame as it arrived; {@code rsv1} marks a compressed message (permessage-deflate, RFC 7692). */
    record Frame(boolean fin, int opcode, byte[] payload, boolean rsv1) {

        Frame(boolean fin, int opcode, byte[] payload) {
            this(fin, opcode, payload, false);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /** The handshake answer's status code. */
    final int status;
    /** The handshake answer's headers, names lower-cased. */
    final Map<String, String> headers = new LinkedHashMap<>();
    /** The key this client sent, for checking {@code Sec-WebSocket-Accept}. */
    final String key;

    /**
     * Connects to 127.0.0.1:{@code port} and sends the opening handshake for {@code path} with
     * {@code Host: host}, offering {@code protocols} (a header value; none when null).
     */
    RawWebSocket(int port, String host, String path, String protocols) throws IOException {
        this(port, host, path, protocols, null);
    }

    /** As above, also offering {@code extensions} ({@code Sec-WebSocket-Extensions}; none when null). */
    RawWebSocket(int port, String host, String path, String protocols, String extensions) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        key = Base64.getEncoder().encodeToString(nonce);
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                + (protocols == null ? "" : "Sec-WebSocket-Protocol: " + protocols + "\r\n")
                + (extensions == null ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int next = in.read();
            if (next < 0) {
                break;
            }
            head.write(next);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        status = Integer.parseInt(lines[0].split(" ")[1]);
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
    }

    /** The {@code Sec-WebSocket-Accept} a server must answer this client's key with. */
    String expectedAccept() throws NoSuchAlgorithmException {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
    }

    /** A refusal's body: its Content-Length's worth, or what comes until the server closes. */
    String body() throws IOException {
        String length = headers.get("content-length");
        byte[] bytes = length == null ? in.readAllBytes() : in.readNBytes(Integer.parseInt(length));
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Sends one masked frame. */
    void send(boolean fin, int opcode, byte[] payload) throws IOException {
        send(fin, opcode, payload, false);
    }

    /** Sends one masked frame, with RSV1 set when {@code rsv1} (a compressed message). */
    void send(boolean fin, int opcode, byte[] payload, boolean rsv1) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xFF);
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.write(mask);
        byte[] masked = new byte[payload.length];
        for (int i = 0; i < payload.length; i++) {
            masked[i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        frame.write(masked);
        out.write(frame.toByteArray());
        out.flush();
    }

    /** Reads one frame (servers do not mask). */
    Frame read() throws IOException {
        int first = in.read();
        int second = in.read();
        if (first < 0 || second < 0) {
            throw new IOException("the connection closed before a frame");
        }
        long length = second & 0x7F;
        if (length == 126) {
            length = (in.read() << 8) | in.read();
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | in.read();
            }
        }
        return new Frame((first & 0x80) != 0, first & 0x0F, in.readNBytes((int) length), (first & 0x40) != 0);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
