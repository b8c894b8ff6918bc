package dev.stacyvm.worker.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.ExecSocketFrame;
import dev.stacyvm.contract.api.ExecSocketRequest;
import dev.stacyvm.contract.time.GoDuration;
import dev.stacyvm.worker.error.SandboxOperationException;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.ExecOutputSink;
import dev.stacyvm.worker.provider.InteractiveExec;
import dev.stacyvm.worker.provider.TerminalSize;
import dev.stacyvm.worker.provider.docker.Utf8Decoder;
import dev.stacyvm.worker.service.RuntimeService;
import io.quarkus.logging.Log;
import io.vertx.core.http.ServerWebSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One exec WebSocket on the worker: the first text message starts the command
 * ({@link ExecSocketRequest}), later ones drive it ({@link ExecSocketFrame}: stdin, resize, signal,
 * eof; a binary message is stdin bytes), its output goes back as output frames and last a
 * {@code done} frame, then a normal close. A refusal or failure is an {@code error} frame and a
 * close with 1007 (the request) or 1011. Closing the socket kills the command.
 *
 * <p>Client messages are handled in order on one virtual thread (they block on the engine); when
 * more than {@value #PAUSE_AT} wait, the socket stops reading until they drop to
 * {@value #RESUME_AT}, so a fast sender cannot fill the worker's memory. Output is written one
 * frame at a time, each waiting until the socket took it, so a slow reader slows the command's
 * output instead of queueing it.
 */
final class ExecSocketSession {

    private static final int PAUSE_AT = 64;
    private static final int RESUME_AT = 16;
    /** Client bytes waiting for the command: beyond this the socket stops reading (a command may not read its stdin). */
    private static final long PAUSE_AT_BYTES = 256 * 1024;
    private static final long WRITE_WAIT_SECONDS = 60;

    private final ServerWebSocket socket;
    private final String sandboxId;
    private final RuntimeService runtimes;
    private final ObjectMapper json;
    private final ExecutorService inbound = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("exec-ws-in-", 0).factory());
    private final AtomicInteger waiting = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong waitingBytes = new java.util.concurrent.atomic.AtomicLong();
    private volatile InteractiveExec exec;
    private volatile boolean started;
    private volatile boolean ended;
    private volatile boolean base64;

    ExecSocketSession(ServerWebSocket socket, String sandboxId, RuntimeService runtimes, ObjectMapper json) {
        this.socket = socket;
        this.sandboxId = sandboxId;
        this.runtimes = runtimes;
        this.json = json;
    }

    void start() {
        socket.textMessageHandler(text -> enqueue(() -> onText(text), text.length()));
        socket.binaryMessageHandler(bytes -> enqueue(() -> onStdin(bytes.getBytes()), bytes.length()));
        socket.closeHandler(closed -> {
            ended = true;
            InteractiveExec running = exec;
            if (running != null) {
                Thread.ofVirtual().start(running::close);
            }
            inbound.shutdown();
        });
        socket.exceptionHandler(failed -> Log.debugf("exec socket for %s failed: %s", sandboxId, failed.toString()));
    }

    private void enqueue(Runnable task, long bytes) {
        int messages = waiting.incrementAndGet();
        long held = waitingBytes.addAndGet(bytes);
        if (messages >= PAUSE_AT || held >= PAUSE_AT_BYTES) {
            socket.pause();
        }
        try {
            inbound.execute(() -> {
                try {
                    task.run();
                } finally {
                    int left = waiting.decrementAndGet();
                    long leftBytes = waitingBytes.addAndGet(-bytes);
                    if (left <= RESUME_AT && leftBytes < PAUSE_AT_BYTES / 4) {
                        socket.resume();
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the socket closed: nothing more is handled
        }
    }

    private void onText(String text) {
        if (ended) {
            return;
        }
        if (!started) {
            started = true;
            open(text);
            return;
        }
        ExecSocketFrame frame;
        try {
            frame = json.readValue(text, ExecSocketFrame.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException malformed) {
            fail(ErrorCode.BAD_REQUEST, "a message is not a JSON frame: " + shortened(malformed.getOriginalMessage()),
                    ExecSocketFrame.CLOSE_INVALID);
            return;
        }
        if (frame == null) {
            fail(ErrorCode.BAD_REQUEST, "a message must be a JSON object", ExecSocketFrame.CLOSE_INVALID);
            return;
        }
        InteractiveExec running = exec;
        if (running == null) {
            return;
        }
        String type = frame.type() == null ? "" : frame.type();
        try {
            switch (type) {
                case ExecSocketFrame.STDIN -> onStdin(decode(frame.data()));
                case ExecSocketFrame.EOF -> running.endInput();
                case ExecSocketFrame.RESIZE -> running.resize(new TerminalSize(
                        frame.cols() == null ? 0 : frame.cols(), frame.rows() == null ? 0 : frame.rows()));
                case ExecSocketFrame.SIGNAL -> {
                    if (frame.signal() == null || frame.signal().isBlank()) {
                        throw new IllegalArgumentException("a signal frame needs a signal, such as SIGINT");
                    }
                    running.signal(frame.signal());
                }
                default -> throw new IllegalArgumentException(
                        "type must be stdin, eof, resize or signal, not \"" + type + "\"");
            }
        } catch (IllegalArgumentException | SandboxOperationException refused) {
            fail(refused instanceof SandboxOperationException failure ? SandboxOperationExceptionMapper.codeOf(failure)
                    : ErrorCode.BAD_REQUEST, refused.getMessage(), ExecSocketFrame.CLOSE_INVALID);
        }
    }

    private byte[] decode(String data) {
        if (data == null) {
            return new byte[0];
        }
        return base64 ? Base64.getDecoder().decode(data) : data.getBytes(StandardCharsets.UTF_8);
    }

    private void onStdin(byte[] bytes) {
        InteractiveExec running = exec;
        if (running == null || ended || bytes.length == 0) {
            return;
        }
        try {
            running.write(bytes);
        } catch (IOException gone) {
            // the command closed its stdin or ended: its done frame follows
        }
    }

    /** Starts the command from the first message, then relays its output on a thread of its own. */
    private void open(String text) {
        ExecSocketRequest request;
        try {
            request = json.readValue(text, ExecSocketRequest.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException malformed) {
            fail(ErrorCode.BAD_REQUEST, "the first message must be an exec request: "
                    + shortened(malformed.getOriginalMessage()), ExecSocketFrame.CLOSE_INVALID);
            return;
        }
        if (request.encoding() != null && !request.base64()) {
            fail(ErrorCode.BAD_REQUEST, "encoding must be \"base64\" or left out", ExecSocketFrame.CLOSE_INVALID);
            return;
        }
        base64 = request.base64();
        InteractiveExec opened;
        try {
            opened = runtimes.openInteractive(sandboxId, request);
        } catch (SandboxOperationException refused) {
            ErrorCode code = SandboxOperationExceptionMapper.codeOf(refused);
            fail(code, refused.getMessage(), code == ErrorCode.BAD_REQUEST ? ExecSocketFrame.CLOSE_INVALID : ExecSocketFrame.CLOSE_ERROR);
            return;
        }
        exec = opened;
        if (ended) {
            opened.close();
            return;
        }
        Thread.ofVirtual().name("exec-ws-out-" + sandboxId).start(() -> relay(opened));
    }

    private void relay(InteractiveExec running) {
        Map<String, Utf8Decoder> decoders = Map.of(ExecOutputSink.STDOUT, new Utf8Decoder(), ExecOutputSink.STDERR, new Utf8Decoder());
        ExecOutcome outcome = running.relay((stream, bytes) -> {
            String data = base64 ? Base64.getEncoder().encodeToString(bytes) : decoders.get(stream).decode(bytes);
            if (!data.isEmpty()) {
                send(ExecSocketFrame.output(stream, data));
            }
        });
        runtimes.interactiveEnded(sandboxId);
        if (ended) {
            return;
        }
        if (outcome.abandoned()) {
            // the client took no output for a minute: the command is gone, and the client is told so
            fail(ErrorCode.RESOURCE_LIMIT, "the client read no output for " + WRITE_WAIT_SECONDS
                    + " s; the command was stopped", ExecSocketFrame.CLOSE_POLICY);
            return;
        }
        try {
            if (!base64) {
                for (String stream : new String[] {ExecOutputSink.STDOUT, ExecOutputSink.STDERR}) {
                    String rest = decoders.get(stream).finish();
                    if (!rest.isEmpty()) {
                        send(ExecSocketFrame.output(stream, rest));
                    }
                }
            }
            send(ExecSocketFrame.done(outcome.exitCode(), GoDuration.format(outcome.took()), outcome.timedOut()));
            socket.close(ExecSocketFrame.CLOSE_NORMAL);
        } catch (IOException gone) {
            // the client left at the very end
        }
    }

    /** Writes one frame and waits until the socket took it (a slow reader slows the output). */
    private void send(ExecSocketFrame frame) throws IOException {
        if (ended) {
            throw new IOException("the socket is closed");
        }
        try {
            socket.writeTextMessage(json.writeValueAsString(frame)).toCompletionStage().toCompletableFuture()
                    .get(WRITE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException failed) {
            throw new IOException("the socket did not take a frame", failed);
        }
    }

    private void fail(ErrorCode code, String message, short closeCode) {
        if (ended) {
            return;
        }
        ended = true;
        InteractiveExec running = exec;
        if (running != null) {
            running.close();
        }
        try {
            socket.writeTextMessage(json.writeValueAsString(ExecSocketFrame.failure(code, message)))
                    .onComplete(written -> socket.close(closeCode, shortened(code.wireName())));
        } catch (IOException e) {
            socket.close(closeCode);
        }
    }

    private static String shortened(String message) {
        if (message == null) {
            return "";
        }
        return message.length() > 120 ? message.substring(0, 120) : message;
    }

}
