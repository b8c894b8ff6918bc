package dev.stacyvm.worker.provider.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Starts processes through a sandbox's agent over its Unix socket (docs/agent-protocol.md): connect,
 * read {@code HELLO}, send {@code REQUEST} with the worker's proof, and check the agent's proof in
 * {@code ACCEPTED} before anything it says is believed. Both proofs are HMAC-SHA256 of the other
 * side's nonce under the sandbox's token, so the token never crosses the socket and a process of the
 * sandbox answering in the agent's place learns nothing from the worker.
 */
public final class AgentClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();
    /** Closes connections whose handshake outlives its deadline: a stuck agent must not hold a caller. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "agent-handshake-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    private AgentClient() {
    }

    /**
     * Starts {@code spawn} through the agent listening on {@code socket}.
     *
     * @param token     the sandbox's token: 64 lowercase hex digits
     * @param handshake how long connecting and the handshake may take in all
     * @return the started process; its output follows with {@link AgentProcess#next()}
     * @throws AgentUnavailableException when nothing was started: no socket or no listener, a refusal
     *                                   ({@code ERROR}), a wrong proof, a protocol error, or the deadline
     */
    public static AgentProcess spawn(Path socket, String token, AgentSpawn spawn, Duration handshake)
            throws AgentUnavailableException {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new AgentUnavailableException("no Unix socket: " + e.getMessage(), e);
        }
        ScheduledFuture<?> deadline = WATCHDOG.schedule(() -> closeQuietly(channel), handshake.toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            BufferedInputStream in = new BufferedInputStream(ChannelStreams.input(channel), 64 * 1024);
            OutputStream out = ChannelStreams.output(channel);
            AgentFrame hello = AgentFrame.read(in);
            if (hello.type() != AgentFrame.HELLO) {
                throw new AgentProtocolException("the agent's first frame is of type " + hello.type());
            }
            JsonNode greeting = JSON.readTree(hello.payload());
            String agentNonce = text(greeting, "nonce");
            if (greeting.path("v").asInt() != 1 || !agentNonce.matches("[0-9a-f]{32}")) {
                throw new AgentProtocolException("a HELLO of an unknown version or without a nonce");
            }
            String workerNonce = HEX.formatHex(randomBytes(16));
            byte[] request = JSON.writeValueAsBytes(request(spawn, proof(token, "stacyvm-worker\n" + agentNonce), workerNonce));
            AgentFrame.write(out, AgentFrame.REQUEST, request, 0, request.length);
            AgentFrame answer = AgentFrame.read(in);
            if (answer.type() == AgentFrame.ERROR) {
                JsonNode error = JSON.readTree(answer.payload());
                throw new AgentUnavailableException("the agent refused: " + error.path("code").asText() + ": "
                        + error.path("message").asText());
            }
            if (answer.type() != AgentFrame.ACCEPTED) {
                throw new AgentProtocolException("an answer of type " + answer.type() + " to a request");
            }
            JsonNode accepted = JSON.readTree(answer.payload());
            byte[] expected = proof(token, "stacyvm-agent\n" + workerNonce).getBytes(StandardCharsets.US_ASCII);
            if (!MessageDigest.isEqual(expected, text(accepted, "proof").getBytes(StandardCharsets.US_ASCII))) {
                throw new AgentProtocolException("the agent's proof is wrong: not the sandbox's agent");
            }
            if (!deadline.cancel(false)) {
                throw new AgentUnavailableException("the agent's handshake outlived " + handshake.toMillis() + " ms");
            }
            return AgentProcess.over(channel, accepted.path("pid").asInt(), in);
        } catch (AgentUnavailableException refused) {
            deadline.cancel(false);
            closeQuietly(channel);
            throw refused;
        } catch (IOException | RuntimeException e) {
            deadline.cancel(false);
            closeQuietly(channel);
            throw new AgentUnavailableException("the agent at " + socket + " did not take the request: " + e, e);
        }
    }

    private static ObjectNode request(AgentSpawn spawn, String proof, String nonce) {
        ObjectNode request = JSON.createObjectNode();
        request.put("op", "spawn").put("proof", proof).put("nonce", nonce);
        spawn.argv().forEach(request.putArray("argv")::add);
        spawn.env().forEach(request.putArray("env")::add);
        if (spawn.workdir() != null) {
            request.put("workdir", spawn.workdir());
        }
        if (spawn.tty()) {
            request.putObject("tty").put("cols", spawn.cols()).put("rows", spawn.rows());
        }
        request.put("stdin", spawn.stdin());
        return request;
    }

    /** {@code hex(HMAC-SHA256(token, message))}, the token's 64 hex characters as the key. */
    static String proof(String token, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
            return HEX.formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
        }
    }

    /** A fresh token for a sandbox's agent: 32 random bytes as 64 lowercase hex digits. */
    public static String newToken() {
        return HEX.formatHex(randomBytes(32));
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static String text(JsonNode node, String field) throws AgentProtocolException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new AgentProtocolException("no " + field + " in the agent's frame");
        }
        return value.asText();
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closed either way
        }
    }
}
