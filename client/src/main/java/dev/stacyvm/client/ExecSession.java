package dev.stacyvm.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.ExecSocketFrame;
import dev.stacyvm.contract.api.ExecSocketRequest;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A command running in a sandbox over StacyVM's exec WebSocket ({@code GET /api/v1/sandboxes/{id}/exec/ws}), on a
 * terminal when its request asks for one: send it input, a new terminal size or a signal while it runs, read its
 * output as it comes, and wait for its exit code. {@link RemoteSandbox#openExecSocket} and
 * {@link RemoteSandbox#terminal} open it; closing it before the command ends kills the command and everything it
 * started.
 *
 * <pre>{@code
 * try (ExecSession shell = sandbox.terminal(120, 40)) {
 *     shell.send("echo $((6 * 7)); exit 3\n");
 *     while (shell.hasNext()) {
 *         System.out.print(shell.next().text());
 *     }
 *     System.out.println("exit " + shell.awaitDone(Duration.ofSeconds(30)).exitCode());
 * }
 * }</pre>
 *
 * <p><b>Output.</b> Each output frame becomes a {@link Chunk}: opened with a listener, the chunk is handed to it on
 * the socket's thread, and the next frame is not read until it returns (a slow listener slows the command down rather
 * than filling memory); opened without one, chunks queue up (without bound) for {@link #hasNext()} and
 * {@link #next()}. On a terminal every chunk is {@code stdout}, with the terminal's echo of the input and its
 * {@code \r\n} line ends.
 *
 * <p><b>End.</b> The server ends a session with {@code done} (the exit code, how long it ran, whether its timeout
 * stopped it) and a normal close, or with an error frame ({@code code} and message) and a close: {@link #awaitDone}
 * answers the first and throws the second as an {@link ApiException} with that code. A socket that closes or breaks
 * without either is {@code unavailable}.
 *
 * <p><b>Threads.</b> Every method may be called from any thread; sends are made one at a time, in the order called,
 * each waiting up to 30 seconds for the socket to take it.
 */
public final class ExecSession implements Iterator<ExecSession.Chunk>, AutoCloseable {

    /**
     * A piece of output.
     *
     * @param stream {@code "stdout"} or {@code "stderr"} (a terminal has only {@code stdout})
     * @param data   the bytes: decoded from base64 when the request asked for {@code encoding: "base64"}, else the
     *               UTF-8 bytes of the text the server sent (which never splits a character)
     */
    public record Chunk(String stream, byte[] data) {

        /**
         * The bytes as UTF-8 text. With {@code encoding: "base64"} a character may be split between two chunks: join
         * the bytes before decoding when that matters.
         *
         * @return the text
         */
        public String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    /**
     * How the command ended.
     *
     * @param exitCode its exit status (124 or 137 when its timeout stopped it; 128 plus the signal's number when a
     *                 signal killed it)
     * @param duration how long it ran, a Go duration string such as {@code "1.2s"}
     * @param timedOut whether its timeout stopped it
     */
    public record Done(int exitCode, String duration, boolean timedOut) {
    }

    /** How long one send may wait for the socket to take it. */
    private static final Duration SEND_WAIT = Duration.ofSeconds(30);
    /** How long {@link #close()} waits for the server to answer its close before it drops the connection. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    /** Marks the end of the queued output, for {@link #hasNext()}. */
    private static final Chunk END = new Chunk("", new byte[0]);

    private final String path;
    private final boolean base64;
    private final Consumer<Chunk> listener;
    private final BlockingQueue<Chunk> queued = new LinkedBlockingQueue<>();
    private final CompletableFuture<Done> ended = new CompletableFuture<>();
    private final Object sending = new Object();
    private WebSocket socket;
    private Chunk next;

    private ExecSession(String path, boolean base64, Consumer<Chunk> listener) {
        this.path = path;
        this.base64 = base64;
        this.listener = listener;
        ended.whenComplete((done, failure) -> queued.add(END));
    }

    /** Opens the socket and sends the request as its first message; refusals of the handshake are thrown here. */
    static ExecSession open(Http http, String path, ExecSocketRequest request, Consumer<Chunk> listener) {
        if (request == null || request.command() == null || request.command().isEmpty()) {
            throw new IllegalArgumentException("an exec session needs a command");
        }
        ExecSession session = new ExecSession(path, request.base64(), listener);
        WebSocket socket;
        try {
            socket = http.openWebSocket(path, session.new Reader()).get(Http.HANDSHAKE_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof WebSocketHandshakeException refused) {
                throw Http.error(refused.getResponse());
            }
            throw new ApiException(ErrorCode.UNAVAILABLE, "could not open " + path + ": " + failed.getCause());
        } catch (TimeoutException slow) {
            throw new ApiException(ErrorCode.UNAVAILABLE, "the gateway did not open " + path + " within "
                    + Http.HANDSHAKE_WAIT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ErrorCode.UNAVAILABLE, "interrupted while opening " + path);
        }
        session.socket = socket;
        try {
            session.sendText(Http.JSON.writeValueAsString(request));
        } catch (JsonProcessingException e) {
            session.close();
            throw new IllegalArgumentException("the request cannot be written as JSON: " + e.getMessage(), e);
        } catch (RuntimeException failed) {
            session.close();
            throw failed;
        }
        return session;
    }

    /**
     * Sends bytes to the command's stdin, as they are (a binary message): on a terminal, as if typed ({@code 0x03} is
     * Ctrl-C, {@code 0x04} Ctrl-D at the start of a line). Does nothing once the session has ended.
     *
     * @param bytes the input
     * @throws ApiException {@code unavailable} when the socket broke or did not take it within 30 seconds, or the
     *     calling thread was interrupted (its interrupt flag is set again)
     */
    public void send(byte[] bytes) {
        send(bytes, 0, bytes.length);
    }

    /**
     * Sends part of an array to the command's stdin, as {@link #send(byte[])} does.
     *
     * @param bytes  the array
     * @param offset where the input starts in it
     * @param length how many bytes
     * @throws ApiException the codes of {@link #send(byte[])}
     */
    public void send(byte[] bytes, int offset, int length) {
        ByteBuffer copy = ByteBuffer.wrap(Arrays.copyOfRange(bytes, offset, offset + length));
        sendFrame(() -> socket.sendBinary(copy, true));
    }

    /**
     * Sends text to the command's stdin, as UTF-8 ({@code {"type":"stdin"}}). Does nothing once the session has ended.
     *
     * @param text the input, such as {@code "ls\n"}
     * @throws ApiException the codes of {@link #send(byte[])}
     */
    public void send(String text) {
        String data = base64 ? Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)) : text;
        sendFrame(ExecSocketFrame.stdin(data));
    }

    /**
     * Gives the terminal a new size ({@code {"type":"resize"}}); the command gets {@code SIGWINCH}. Does nothing once
     * the session has ended, and means nothing to a session without a terminal.
     *
     * @param cols the columns, 1 to 1000
     * @param rows the rows, 1 to 1000
     * @throws IllegalArgumentException before anything is sent, for a size out of range
     * @throws ApiException the codes of {@link #send(byte[])}
     */
    public void resize(int cols, int rows) {
        if (cols < 1 || cols > 1000 || rows < 1 || rows > 1000) {
            throw new IllegalArgumentException("a terminal is 1 to 1000 columns and rows, not " + cols + "x" + rows);
        }
        sendFrame(ExecSocketFrame.resize(cols, rows));
    }

    /**
     * Sends a signal ({@code {"type":"signal"}}): on a terminal to its foreground job, as Ctrl-C sends
     * {@code SIGINT}; without one to the command. Does nothing once the session has ended.
     *
     * @param signal {@code INT}, {@code TERM}, {@code KILL}, {@code HUP}, {@code QUIT}, {@code USR1}, {@code USR2},
     *               {@code CONT} or {@code STOP}, with or without {@code SIG}; another ends the session with a
     *               {@code bad_request} error frame
     * @throws ApiException the codes of {@link #send(byte[])}
     */
    public void signal(String signal) {
        sendFrame(ExecSocketFrame.signal(signal));
    }

    /**
     * Closes the command's stdin ({@code {"type":"eof"}}): a command reading it sees its end. Does nothing once the
     * session has ended. On a terminal, send Ctrl-D instead ({@code send(new byte[] {4})}, at the start of a line),
     * as a user ends input there: the server's end of a terminal's input ends the session without waiting for the
     * program to read what was sent before.
     *
     * @throws ApiException the codes of {@link #send(byte[])}
     */
    public void endInput() {
        sendFrame(ExecSocketFrame.eof());
    }

    /**
     * Whether more output comes: blocks until a chunk is queued or the session ends. A session opened with a listener
     * queues nothing, so this answers false once it ends.
     *
     * @return true when {@link #next()} has a chunk
     * @throws ApiException {@code unavailable} when the calling thread was interrupted (its interrupt flag is set
     *     again)
     */
    @Override
    public boolean hasNext() {
        if (next == null) {
            try {
                next = queued.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(ErrorCode.UNAVAILABLE, "interrupted while reading " + path);
            }
        }
        if (next == END) {
            queued.add(END);
            return false;
        }
        return true;
    }

    /**
     * The next chunk of output, waiting for it as {@link #hasNext()} does.
     *
     * @return the chunk
     * @throws NoSuchElementException when the session has ended and every chunk was taken
     */
    @Override
    public Chunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the exec session has ended");
        }
        Chunk taken = next;
        next = null;
        return taken;
    }

    /**
     * Whether the session has ended: done, failed, or closed.
     *
     * @return true once {@link #awaitDone} answers without waiting
     */
    public boolean isDone() {
        return ended.isDone();
    }

    /**
     * Waits until the command ends, and answers how.
     *
     * @param wait how long to wait at most
     * @return the exit code, how long it ran and whether its timeout stopped it
     * @throws TimeoutException when it still runs after {@code wait}
     * @throws ApiException the error frame's code: such as {@code bad_request} for a request or frame the server
     *     refuses (a missing command, an unknown mode, encoding or signal, a size out of range, a timeout that is no Go
     *     duration), {@code resource_limit} for a timeout above the owner's {@code max_exec_timeout},
     *     {@code conflict} when the sandbox stopped running, {@code not_found} when it was destroyed meanwhile;
     *     {@code unavailable} when the socket closed or broke without saying how the command ended, the session was
     *     closed first, or the calling thread was interrupted (its interrupt flag is set again). An exception the
     *     listener threw is thrown as it is.
     */
    public Done awaitDone(Duration wait) throws TimeoutException {
        try {
            return ended.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof RuntimeException thrown) {
                throw thrown;
            }
            throw new IllegalStateException(failed.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ErrorCode.UNAVAILABLE, "interrupted while waiting for " + path);
        }
    }

    /**
     * Ends the session: closes the socket normally (waiting up to 5 seconds for the server's answer), which kills the
     * command and everything it started when it still runs. Closing again does nothing.
     */
    @Override
    public void close() {
        WebSocket open = socket;
        ended.completeExceptionally(new ApiException(ErrorCode.UNAVAILABLE, "the exec session " + path
                + " was closed before the command ended"));
        if (open == null) {
            return;
        }
        synchronized (sending) {
            if (!open.isOutputClosed()) {
                try {
                    open.sendClose(WebSocket.NORMAL_CLOSURE, "").get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException failed) {
                    // dropped below either way
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        open.abort();
    }

    private void sendFrame(ExecSocketFrame frame) {
        try {
            sendText(Http.JSON.writeValueAsString(frame));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void sendText(String text) {
        sendFrame(() -> socket.sendText(text, true));
    }

    /** Sends one message once the one before has gone: the JDK's WebSocket takes one send at a time. */
    private void sendFrame(Supplier<CompletableFuture<WebSocket>> send) {
        synchronized (sending) {
            if (ended.isDone() || socket.isOutputClosed()) {
                return;
            }
            try {
                send.get().get(SEND_WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException failed) {
                if (ended.isDone()) {
                    return;
                }
                throw new ApiException(ErrorCode.UNAVAILABLE, "could not send on " + path + ": "
                        + (failed instanceof TimeoutException ? "the socket took nothing for 30 s" : failed.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(ErrorCode.UNAVAILABLE, "interrupted while sending on " + path);
            }
        }
    }

    /** Reads the server's messages: output to the listener or the queue, and the last frame into {@link #ended}. */
    private final class Reader implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String message = text.toString();
                text.setLength(0);
                try {
                    frame(Http.JSON.readValue(message, ExecSocketFrame.class));
                } catch (JsonProcessingException notAFrame) {
                    fail(new ApiException(ErrorCode.PROVIDER_ERROR, "a message on " + path + " was not the JSON expected"));
                    webSocket.abort();
                } catch (RuntimeException listenerFailed) {
                    fail(listenerFailed);
                    webSocket.abort();
                }
            }
            webSocket.request(1);
            return null;
        }

        private void frame(ExecSocketFrame frame) {
            if (frame.stream() != null) {
                String data = frame.data() == null ? "" : frame.data();
                Chunk chunk;
                try {
                    chunk = new Chunk(frame.stream(), base64 ? Base64.getDecoder().decode(data)
                            : data.getBytes(StandardCharsets.UTF_8));
                } catch (IllegalArgumentException notBase64) {
                    throw new ApiException(ErrorCode.PROVIDER_ERROR, "output on " + path + " was not base64");
                }
                if (listener != null) {
                    listener.accept(chunk);
                } else {
                    queued.add(chunk);
                }
            } else if (ExecSocketFrame.DONE.equals(frame.type())) {
                ended.complete(new Done(frame.exitCode() == null ? -1 : frame.exitCode(), frame.duration(),
                        Boolean.TRUE.equals(frame.timedOut())));
            } else if (ExecSocketFrame.ERROR.equals(frame.type())) {
                ErrorCode code = frame.code() == null ? null : ErrorCode.fromWireName(frame.code());
                fail(new ApiException(code == null ? ErrorCode.INTERNAL_ERROR : code,
                        frame.error() == null ? "the exec session failed" : frame.error()));
            }
            // other types a later server could add are skipped
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            fail(new ApiException(ErrorCode.UNAVAILABLE, "the exec socket " + path + " closed (" + statusCode
                    + (reason == null || reason.isEmpty() ? "" : " " + reason) + ") without saying how the command ended"));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            fail(new ApiException(ErrorCode.UNAVAILABLE, "the exec socket " + path + " broke: " + error));
        }

        private void fail(RuntimeException failure) {
            ended.completeExceptionally(failure);
        }
    }
}
