package dev.stacyvm.worker.provider.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.remote.RemoteRuntimeProtocol;
import dev.stacyvm.contract.remote.RemoteRuntimeProtocol.Control;
import dev.stacyvm.contract.remote.RemoteRuntimeProtocol.SessionEnd;
import dev.stacyvm.contract.remote.RemoteRuntimeProtocol.SessionStart;
import dev.stacyvm.worker.error.ProviderFailureException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One command's WebSocket session with a remote runtime (docs/remote-runtime.md): the worker sends
 * the {@link SessionStart}, then input as binary messages and {@link Control} messages; the
 * runtime sends output as binary messages whose first byte names the stream, then a
 * {@link SessionEnd}, and closes. Messages are taken one at a time ({@link #next}): the runtime
 * is asked for the next only when the last was handled, so a slow receiver slows the command's
 * output instead of filling the worker's memory.
 */
final class RemoteSession implements AutoCloseable {

    /** What the runtime sent, whole. */
    sealed interface Event {
    }

    /** Output of one stream ({@link RemoteRuntimeProtocol#STDOUT} or {@link RemoteRuntimeProtocol#STDERR}). */
    record Output(byte stream, byte[] data) implements Event {
    }

    /** The command ended; the session closes next. */
    record Ended(SessionEnd end) implements Event {
    }

    /** The session closed or failed before the command's end was said. */
    record Lost(String why) implements Event {
    }

    /** The most input bytes one binary message carries. */
    static final int INPUT_CHUNK = 32 * 1024;
    /** The most a message from the runtime may hold: a runtime that sends more is broken. */
    private static final int MAX_MESSAGE = 1024 * 1024;
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final ObjectMapper mapper;
    private final Listener listener = new Listener();
    private final java.util.concurrent.locks.ReentrantLock sending = new java.util.concurrent.locks.ReentrantLock();
    private volatile WebSocket socket;

    private RemoteSession(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * Opens a session at {@code uri} ({@code ws:} or {@code wss:}) and sends its start.
     *
     * @throws ProviderFailureException when the runtime cannot be reached or refuses the worker's token
     */
    static RemoteSession open(HttpClient http, URI uri, String token, SessionStart start, ObjectMapper mapper,
                              Duration connectTimeout) {
        RemoteSession session = new RemoteSession(mapper);
        try {
            WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(connectTimeout);
            if (token != null && !token.isEmpty()) {
                builder.header("Authorization", "Bearer " + token);
            }
            session.socket = builder.buildAsync(uri, session.listener).get(connectTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                int status = refused.getResponse().statusCode();
                throw new ProviderFailureException(status == 401 || status == 403
                        ? "the remote runtime refused this worker's credential (stacyvm.worker.remote.token)"
                        : "the remote runtime refused a command session: HTTP " + status);
            }
            throw new ProviderFailureException("the remote runtime did not answer: " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new ProviderFailureException("the remote runtime did not answer within " + connectTimeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderFailureException("interrupted while opening a command session");
        }
        session.sendText(session.json(start));
        return session;
    }

    /**
     * The next message, waiting at most {@code wait}; null when none came in that time.
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    Event next(Duration wait) throws InterruptedException {
        Event event = events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (event instanceof Output || event instanceof Ended) {
            socket.request(1);
        }
        return event;
    }

    /** Sends input to the command, in chunks. */
    void send(byte[] input, int offset, int length) throws IOException {
        for (int at = offset; at < offset + length; at += INPUT_CHUNK) {
            ByteBuffer chunk = ByteBuffer.wrap(input, at, Math.min(INPUT_CHUNK, offset + length - at));
            send(open -> open.sendBinary(chunk, true));
        }
    }

    /** Sends a control message: end of input, a terminal's new size, a signal. */
    void control(Control control) throws IOException {
        String text = json(control);
        send(open -> open.sendText(text, true));
    }

    /** Ends the session: the runtime kills the command and all it started if it still runs. */
    @Override
    public void close() {
        if (socket != null && !socket.isOutputClosed()) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                // the runtime sees the connection drop instead
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (socket != null) {
            socket.abort();
        }
    }

    private WebSocket socketOrFail() throws IOException {
        if (socket.isOutputClosed()) {
            throw new IOException("the command session is closed");
        }
        return socket;
    }

    private void sendText(String text) {
        try {
            send(open -> open.sendText(text, true));
        } catch (IOException e) {
            close();
            throw new ProviderFailureException("could not start a command on the remote runtime: " + e.getMessage());
        }
    }

    /**
     * Sends one message and waits until it is written: a WebSocket takes one send at a time, so the
     * lock spans starting the send and its end. A send the runtime does not take in time ends the
     * session (the JDK would keep it pending for ever).
     */
    private void send(java.util.function.Function<WebSocket, CompletionStage<WebSocket>> message) throws IOException {
        sending.lock();
        try {
            WebSocket open = socketOrFail();
            message.apply(open).toCompletableFuture().get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("the remote runtime's session failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            abort();
            throw new IOException("the remote runtime took no input for " + SEND_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending input");
        } finally {
            sending.unlock();
        }
    }

    /** Drops the session at once, without a closing handshake; the runtime kills the command. */
    void abort() {
        if (socket != null) {
            socket.abort();
        }
        events.add(new Lost("the session with the remote runtime was aborted"));
    }

    private String json(Object message) {
        try {
            return mapper.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reassembles messages the JDK hands over in parts and queues each whole one. */
    private final class Listener implements WebSocket.Listener {
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        private final StringBuilder text = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            if (binary.size() + data.remaining() > MAX_MESSAGE) {
                fail(webSocket, "the remote runtime sent a message over " + MAX_MESSAGE + " bytes");
                return null;
            }
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes);
            if (!last) {
                webSocket.request(1);
                return null;
            }
            byte[] message = binary.toByteArray();
            binary.reset();
            if (message.length == 0 || (message[0] != RemoteRuntimeProtocol.STDOUT && message[0] != RemoteRuntimeProtocol.STDERR)) {
                fail(webSocket, "the remote runtime sent output of no stream it may name");
                return null;
            }
            events.add(new Output(message[0], java.util.Arrays.copyOfRange(message, 1, message.length)));
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            if (text.length() + data.length() > MAX_MESSAGE) {
                fail(webSocket, "the remote runtime sent a message over " + MAX_MESSAGE + " characters");
                return null;
            }
            text.append(data);
            if (!last) {
                webSocket.request(1);
                return null;
            }
            String message = text.toString();
            text.setLength(0);
            SessionEnd end;
            try {
                end = mapper.readValue(message, SessionEnd.class);
            } catch (JsonProcessingException e) {
                end = null;
            }
            if (end == null || !end.complete()) {
                fail(webSocket, "the remote runtime sent a session end that is not the contract's");
            } else {
                events.add(new Ended(end));
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            events.add(new Lost("the remote runtime closed the session (" + statusCode
                    + (reason == null || reason.isEmpty() ? "" : ": " + reason) + ")"));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            events.add(new Lost("the session with the remote runtime failed: " + error.getMessage()));
        }

        private void fail(WebSocket webSocket, String why) {
            events.add(new Lost(why));
            webSocket.abort();
        }
    }
}
