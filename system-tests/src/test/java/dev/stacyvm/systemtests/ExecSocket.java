package dev.stacyvm.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A client of {@code GET /api/v1/sandboxes/{id}/exec/ws} for the tests: sends JSON messages and
 * collects what the server sends, each text message as JSON and the close as its status. Every
 * wait is bounded.
 */
final class ExecSocket implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    private final WebSocket socket;
    private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    private final List<JsonNode> received = new ArrayList<>();
    private volatile Integer closeStatus;

    private ExecSocket(WebSocket socket) {
        this.socket = socket;
    }

    /** A refused handshake: the HTTP status and typed body the gateway answered. */
    record Refusal(int status, String body) {
    }

    /** Opens the socket of sandbox {@code id} with {@code apiKey} in X-API-Key (none when null) and {@code query}. */
    static ExecSocket open(String id, String apiKey, String query) {
        return openWith(id, apiKey == null ? Map.of() : Map.of("X-API-Key", apiKey), query);
    }

    /** Opens the socket of sandbox {@code id} with these request headers (the credential) and {@code query}. */
    static ExecSocket openWith(String id, Map<String, String> headers, String query) {
        Listener listener = new Listener();
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        headers.forEach(builder::header);
        WebSocket socket = builder.buildAsync(uri(id, query), listener).orTimeout(30, TimeUnit.SECONDS).join();
        ExecSocket opened = new ExecSocket(socket);
        listener.owner = opened;
        listener.pending.forEach(opened.messages::add);
        return opened;
    }

    /** Tries to open a socket that must be refused: the handshake's status and body. */
    static Refusal refused(String id, String apiKey, String query) {
        try {
            open(id, apiKey, query).close();
        } catch (CompletionException failed) {
            if (failed.getCause() instanceof WebSocketHandshakeException handshake) {
                Object body = handshake.getResponse().body();
                return new Refusal(handshake.getResponse().statusCode(), body == null ? "" : body.toString());
            }
            throw failed;
        }
        throw new AssertionError("the socket of " + id + " opened");
    }

    private static URI uri(String id, String query) {
        return URI.create(Suite.URL.replaceFirst("^http", "ws") + "/api/v1/sandboxes/" + id + "/exec/ws"
                + (query == null ? "" : "?" + query));
    }

    /** Sends one JSON text message. */
    ExecSocket send(Map<String, ?> message) {
        try {
            socket.sendText(JSON.writeValueAsString(message), true).orTimeout(10, TimeUnit.SECONDS).join();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
        return this;
    }

    /** Sends a text message as it is. */
    ExecSocket sendRaw(String text) {
        socket.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
        return this;
    }

    /**
     * Waits (at most {@code seconds}) until the output received so far (every chunk's data
     * joined) satisfies {@code done}; answers that output.
     */
    String awaitOutput(Predicate<String> done, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.test(output())) {
            long left = deadline - System.nanoTime();
            JsonNode next = left <= 0 ? null : messages.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                throw new AssertionError("within " + seconds + " s the output was only: " + output() + "\nframes: " + received);
            }
            received.add(next);
        }
        return output();
    }

    /** Waits (at most {@code seconds}) for the last frame (done or error) and the close; answers that frame. */
    JsonNode awaitEnd(int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            for (JsonNode message : received) {
                if (message.has("type") && ("done".equals(message.get("type").asText())
                        || "error".equals(message.get("type").asText()))) {
                    return message;
                }
            }
            long left = deadline - System.nanoTime();
            JsonNode next = left <= 0 ? null : messages.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                throw new AssertionError("no done or error frame within " + seconds + " s; received " + received);
            }
            received.add(next);
        }
    }

    /** Waits (at most {@code seconds}) for the server's close; answers its status. */
    int awaitClose(int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (closeStatus == null && System.nanoTime() < deadline) {
            JsonNode next = messages.poll(100, TimeUnit.MILLISECONDS);
            if (next != null) {
                received.add(next);
            }
        }
        if (closeStatus == null) {
            throw new AssertionError("not closed within " + seconds + " s");
        }
        return closeStatus;
    }

    /** Every message received so far, in order. */
    List<JsonNode> received() {
        messages.drainTo(received);
        return received;
    }

    /** The data of every output chunk received so far, joined. */
    String output() {
        StringBuilder joined = new StringBuilder();
        for (JsonNode message : received) {
            if (message.has("stream")) {
                joined.append(message.get("data").asText());
            }
        }
        return joined.toString();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(10, TimeUnit.SECONDS).exceptionally(failed -> null).join();
        }
        socket.abort();
    }

    private static final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private final List<JsonNode> pending = new ArrayList<>();
        private volatile ExecSocket owner;

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    JsonNode message = JSON.readTree(text.toString());
                    if (owner == null) {
                        pending.add(message);
                    } else {
                        owner.messages.add(message);
                    }
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException("not JSON: " + text, e);
                }
                text.setLength(0);
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
            if (owner != null) {
                owner.closeStatus = statusCode;
            }
            return null;
        }
    }
}
