package dev.stacyvm.worker.provider.remote;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.internal.RuntimeStatus;
import dev.stacyvm.contract.remote.RemoteRuntimeProtocol;
import dev.stacyvm.contract.remote.RemoteRuntimeProtocol.Control;
import dev.stacyvm.contract.remote.RemoteRuntimeProtocol.Error;
import dev.stacyvm.contract.remote.RemoteRuntimeProtocol.SessionEnd;
import dev.stacyvm.contract.remote.RemoteRuntimeProtocol.SessionStart;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.error.RuntimeNotFoundException;
import dev.stacyvm.worker.error.RuntimeNotRunningException;
import dev.stacyvm.worker.error.SandboxOperationException;
import dev.stacyvm.worker.provider.CommandResult;
import dev.stacyvm.worker.provider.ExecCommand;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.ExecOutputSink;
import dev.stacyvm.worker.provider.InteractiveExec;
import dev.stacyvm.worker.provider.LogTail;
import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.provider.TerminalSize;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reference implementation of the remote runtime contract (docs/remote-runtime.md): a server
 * that offers any {@link SandboxProvider} (the Docker engine's, the mock's) as a remote runtime,
 * so that the worker's {@code remote} provider is held to the provider contract against a real
 * runtime end to end. A team writing its own runtime reads this as the contract in code: every
 * call, the error kinds, the session's messages and how a closed session kills its command.
 * Listens on loopback only, on a port of its own; every request must carry the bearer token.
 */
public final class ReferenceRemoteRuntime implements AutoCloseable {

    private static final Pattern SANDBOX_CALL = Pattern.compile("/v1/sandboxes/([A-Za-z0-9][A-Za-z0-9._-]{0,127})(/[a-z-]+)?");
    /** Messages of input held before the runtime stops reading from the worker. */
    private static final int INBOX_HIGH = 64;
    private static final int OUTPUT_CHUNK = 32 * 1024;
    private static final Duration WRITE_WAIT = Duration.ofSeconds(60);

    private final SandboxProvider provider;
    /** What its health names as the engine; null: the provider's own. */
    private final String engineVersion;
    private final byte[] token;
    private final ObjectMapper mapper = new ObjectMapper().findAndRegisterModules()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

    private ReferenceRemoteRuntime(SandboxProvider provider, String token, int port, String engineVersion) throws Exception {
        this.provider = provider;
        this.engineVersion = engineVersion;
        this.token = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
                .requestHandler(this::request)
                .listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** Starts serving {@code provider} on a free loopback port, wanting {@code token}. */
    public static ReferenceRemoteRuntime start(SandboxProvider provider, String token) throws Exception {
        return new ReferenceRemoteRuntime(provider, token, 0, null);
    }

    /** The engine the standalone runtime's health names ({@link #main}). */
    public static final String ENGINE = "stacyvm-reference-remote-runtime (mock)";

    /**
     * Serves the mock provider as a remote runtime until killed: {@code ReferenceRemoteRuntime PORT
     * TOKEN_FILE}, on {@code 127.0.0.1:PORT}, wanting the token the file holds (its first line).
     * {@code ./stacyvm up} starts it when {@code STACYVM_PROVIDERS} names {@code remote} and no
     * {@code STACYVM_REMOTE_URL} is set, so the {@code remote} provider can be tried and measured
     * ({@code ./stacyvm bench providers}) with nothing else installed (docs/remote-runtime.md).
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ReferenceRemoteRuntime PORT TOKEN_FILE");
            System.exit(2);
        }
        String token = java.nio.file.Files.readAllLines(java.nio.file.Path.of(args[1])).getFirst().strip();
        if (token.isEmpty()) {
            throw new IllegalArgumentException(args[1] + " holds no token");
        }
        // an engine of its own name: a certification of it never holds for another runtime
        ReferenceRemoteRuntime runtime = new ReferenceRemoteRuntime(new dev.stacyvm.worker.provider.mock.MockSandboxProvider(), token,
                Integer.parseInt(args[0]), ENGINE);
        System.out.println("reference remote runtime (serving the mock provider) on " + runtime.url());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runtime.close();
            } catch (Exception e) {
                // stopping: nothing to do about a close that failed
            }
        }));
        Thread.currentThread().join();
    }

    /** The base URL a worker's {@code stacyvm.worker.remote.url} names. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.actualPort());
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private boolean authorized(String header) {
        return header != null && MessageDigest.isEqual(token, header.getBytes(StandardCharsets.UTF_8));
    }

    // ---- unary calls ----

    /** How many calls and sessions it has been asked for, answered or refused. */
    public int calls() {
        return calls.get();
    }

    private void request(HttpServerRequest request) {
        calls.incrementAndGet();
        if (!authorized(request.getHeader("Authorization"))) {
            answer(request, 401, new Error(Error.UNAUTHORIZED, "a bearer token is required"));
            return;
        }
        if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            session(request);
            return;
        }
        // the provider's calls block: each request's work runs on a virtual thread of its own
        request.body().onSuccess(body -> Thread.ofVirtual().start(() -> {
            try {
                serve(request, body);
            } catch (SandboxOperationException failure) {
                Error error = RemoteErrors.of(failure);
                answer(request, RemoteErrors.status(error.error()), error);
            } catch (RuntimeException failure) {
                answer(request, 500, new Error(Error.RUNTIME_ERROR, String.valueOf(failure.getMessage())));
            }
        }));
    }

    private void serve(HttpServerRequest request, Buffer body) {
        String method = request.method().name();
        String path = request.path();
        if (method.equals("GET") && path.equals("/v1/health")) {
            answer(request, 200, new RemoteRuntimeProtocol.Health(provider.healthy(), provider.capabilities(),
                    provider.ociRuntimes(), engineVersion != null ? engineVersion : provider.engineVersion()));
            return;
        }
        if (method.equals("GET") && path.equals("/v1/sandboxes")) {
            String workerId = request.getParam("worker_id");
            if (workerId == null) {
                throw new InvalidRequestException("worker_id is required");
            }
            answer(request, 200, provider.runtimes(workerId));
            return;
        }
        Matcher call = SANDBOX_CALL.matcher(path);
        if (!call.matches()) {
            answer(request, 400, new Error(Error.INVALID_REQUEST, "no such call: " + method + " " + path));
            return;
        }
        String id = call.group(1);
        String operation = call.group(2) == null ? "" : call.group(2);
        switch (method + " " + operation) {
            case "PUT " -> {
                RemoteRuntimeProtocol.Create create = read(body, RemoteRuntimeProtocol.Create.class);
                if (create.spec() == null || !id.equals(create.spec().sandboxId())) {
                    throw new InvalidRequestException("the spec's sandbox_id must be the path's");
                }
                answer(request, 200, provider.create(create.spec(), create.workerId()));
            }
            case "GET " -> answer(request, 200, status(id));
            case "DELETE " -> {
                provider.destroy(id);
                answer(request, 204, null);
            }
            case "GET /stats" -> answer(request, 200, provider.stats(id));
            case "GET /logs" -> {
                LogTail.Result logs = provider.logs(id, intParam(request, "lines", 100), intParam(request, "max_bytes", 1 << 20));
                answer(request, 200, new RemoteRuntimeProtocol.Logs(logs.lines(), logs.truncated()));
            }
            case "GET /disk" -> answer(request, 200, new RemoteRuntimeProtocol.DiskUsage(provider.diskUsedBytes(id)));
            case "POST /workdir" -> {
                provider.requireWorkdir(id, read(body, RemoteRuntimeProtocol.Workdir.class).workdir());
                answer(request, 204, null);
            }
            case "GET /processes" -> {
                String listing = provider.processes(id);
                request.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(listing);
            }
            case "POST /signal" -> {
                RemoteRuntimeProtocol.Signal signal = read(body, RemoteRuntimeProtocol.Signal.class);
                provider.signal(id, signal.pid(), signal.signal());
                answer(request, 204, null);
            }
            case "PUT /network-policy" -> {
                // an empty object: open egress (the always-refused ranges stay)
                boolean open = body.length() == 0 || body.toString(StandardCharsets.UTF_8).strip().equals("{}");
                provider.applyNetworkPolicy(id, open ? null : read(body, NetworkPolicy.class));
                answer(request, 204, null);
            }
            default -> answer(request, 400, new Error(Error.INVALID_REQUEST, "no such call: " + method + " " + path));
        }
    }

    /** A sandbox's runtime as the contract's {@code GET /v1/sandboxes/{id}} says it. */
    private RuntimeStatus status(String id) {
        if (!provider.holds(id)) {
            throw new RuntimeNotFoundException(id);
        }
        try {
            provider.requireRunning(id);
            return new RuntimeStatus(id, null, true, "running");
        } catch (RuntimeNotRunningException stopped) {
            return new RuntimeStatus(id, null, false, "exited");
        }
    }

    private static int intParam(HttpServerRequest request, String name, int otherwise) {
        String value = request.getParam(name);
        try {
            return value == null ? otherwise : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(name + " must be a number");
        }
    }

    private <T> T read(Buffer body, Class<T> type) {
        try {
            return mapper.readValue(body.getBytes(), type);
        } catch (IOException e) {
            throw new InvalidRequestException("the body is not the contract's " + type.getSimpleName());
        }
    }

    private void answer(HttpServerRequest request, int status, Object body) {
        var response = request.response().setStatusCode(status);
        if (body == null) {
            response.end();
            return;
        }
        try {
            response.putHeader("Content-Type", "application/json").end(mapper.writeValueAsString(body));
        } catch (IOException e) {
            response.setStatusCode(500).end();
        }
    }

    // ---- command sessions ----

    /** A command session's upgrade: the token and the path checked before the handshake. */
    private void session(HttpServerRequest request) {
        Matcher call = SANDBOX_CALL.matcher(request.path());
        if (!call.matches() || !"/session".equals(call.group(2))) {
            answer(request, 400, new Error(Error.INVALID_REQUEST, "no such session: " + request.path()));
            return;
        }
        request.toWebSocket().onSuccess(socket -> attach(socket, call.group(1)))
                .onFailure(failed -> request.response().setStatusCode(400).end());
    }

    private void attach(ServerWebSocket socket, String sandboxId) {
        Session session = new Session(socket, sandboxId);
        socket.textMessageHandler(session::onText);
        socket.binaryMessageHandler(session::onBinary);
        socket.closeHandler(ignored -> session.onClose());
    }

    /** One command: its input arrives in {@link #inbox}, its output leaves as binary messages. */
    private final class Session {
        private static final Object END_OF_INPUT = new Object();

        private final ServerWebSocket socket;
        private final String sandboxId;
        private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        private volatile boolean started;
        private volatile boolean closed;
        private volatile InteractiveExec interactive;
        private volatile Thread runner;
        private volatile String kind;
        private final java.util.Queue<Control> early = new java.util.concurrent.ConcurrentLinkedQueue<>();

        Session(ServerWebSocket socket, String sandboxId) {
            this.socket = socket;
            this.sandboxId = sandboxId;
        }

        void onText(String text) {
            try {
                if (!started) {
                    started = true;
                    SessionStart start = mapper.readValue(text, SessionStart.class);
                    runner = Thread.ofVirtual().name("reference-session").start(() -> run(start));
                    return;
                }
                Control control = mapper.readValue(text, Control.class);
                InteractiveExec exec = interactive;
                switch (control.type()) {
                    case Control.EOF -> inbox.add(END_OF_INPUT);
                    case Control.RESIZE, Control.SIGNAL -> {
                        if (exec != null) {
                            apply(exec, control);
                        } else {
                            // the command is still starting: it gets them once it runs
                            early.add(control);
                        }
                    }
                    default -> end(SessionEnd.failed(new Error(Error.INVALID_REQUEST, "no control " + control.type())));
                }
            } catch (IOException | RuntimeException e) {
                end(SessionEnd.failed(new Error(Error.INVALID_REQUEST, "not the contract's message: " + e.getMessage())));
            }
        }

        void onBinary(Buffer input) {
            inbox.add(input.getBytes());
            if (inbox.size() > INBOX_HIGH) {
                socket.pause();
            }
        }

        void onClose() {
            closed = true;
            inbox.add(END_OF_INPUT);
            InteractiveExec exec = interactive;
            if (exec != null) {
                exec.close();
            }
            Thread running = runner;
            if (running != null && kind == RemoteRuntimeProtocol.RUN) {
                // a closed session kills its command: the provider's call ends its connection to the
                // agent when interrupted, and the agent kills what the command started
                running.interrupt();
            }
        }

        private void apply(InteractiveExec exec, Control control) {
            if (Control.RESIZE.equals(control.type())) {
                exec.resize(new TerminalSize(control.cols(), control.rows()));
            } else {
                exec.signal(control.signal());
            }
        }

        /** The next input, resuming the socket once the backlog is worked off; {@link #END_OF_INPUT} at the end. */
        Object take() throws InterruptedException {
            Object next = inbox.take();
            if (inbox.size() < INBOX_HIGH / 4) {
                socket.resume();
            }
            return next;
        }

        private void run(SessionStart start) {
            kind = start.kind();
            ExecCommand command = new ExecCommand(start.argv(), start.env() == null ? Map.of() : start.env(), start.workdir(),
                    Duration.ofMillis(start.timeoutMillis()));
            SessionEnd end;
            try {
                end = switch (start.kind()) {
                    case RemoteRuntimeProtocol.EXEC -> ended(provider.exec(sandboxId, command, new ExecOutputSink() {
                        @Override
                        public void accept(String stream, String data) throws IOException {
                            write(ExecOutputSink.STDERR.equals(stream) ? RemoteRuntimeProtocol.STDERR : RemoteRuntimeProtocol.STDOUT,
                                    data.getBytes(StandardCharsets.UTF_8));
                        }

                        @Override
                        public void idle() throws IOException {
                            if (closed) {
                                throw new IOException("the worker closed the session");
                            }
                        }
                    }));
                    case RemoteRuntimeProtocol.RUN -> {
                        long began = System.nanoTime();
                        CommandResult result = provider.run(sandboxId, start.argv(), new InboxStream(), new OutputStream() {
                            @Override
                            public void write(int b) throws IOException {
                                write(new byte[] {(byte) b}, 0, 1);
                            }

                            @Override
                            public void write(byte[] bytes, int offset, int length) throws IOException {
                                Session.this.write(RemoteRuntimeProtocol.STDOUT, java.util.Arrays.copyOfRange(bytes, offset, offset + length));
                            }
                        }, command.timeout());
                        yield new SessionEnd(result.exitCode(), Duration.ofNanos(System.nanoTime() - began).toMillis(), false, false,
                                result.stderr(), null);
                    }
                    case RemoteRuntimeProtocol.INTERACTIVE -> interactive(command, start);
                    default -> SessionEnd.failed(new Error(Error.INVALID_REQUEST, "no session kind " + start.kind()));
                };
            } catch (SandboxOperationException failure) {
                end = SessionEnd.failed(RemoteErrors.of(failure));
            } catch (RuntimeException failure) {
                end = SessionEnd.failed(new Error(Error.RUNTIME_ERROR, String.valueOf(failure.getMessage())));
            }
            end(end);
        }

        private SessionEnd interactive(ExecCommand command, SessionStart start) {
            TerminalSize terminal = start.cols() == null || start.rows() == null ? null : new TerminalSize(start.cols(), start.rows());
            try (InteractiveExec exec = provider.openInteractive(sandboxId, command, terminal)) {
                interactive = exec;
                for (Control control; (control = early.poll()) != null; ) {
                    apply(exec, control);
                }
                if (closed) {
                    return SessionEnd.failed(new Error(Error.RUNTIME_ERROR, "the worker closed the session"));
                }
                Thread input = Thread.ofVirtual().name("reference-session-input").start(() -> {
                    try {
                        for (Object next = take(); next != END_OF_INPUT; next = take()) {
                            exec.write((byte[]) next);
                        }
                        if (!closed) {
                            exec.endInput();
                        }
                    } catch (IOException | InterruptedException ended) {
                        // the command ended: its input no longer matters
                    }
                });
                try {
                    return ended(exec.relay((stream, data) -> write(ExecOutputSink.STDERR.equals(stream)
                            ? RemoteRuntimeProtocol.STDERR : RemoteRuntimeProtocol.STDOUT, data)));
                } finally {
                    input.interrupt();
                }
            }
        }

        private SessionEnd ended(ExecOutcome outcome) {
            return new SessionEnd(outcome.exitCode(), outcome.took().toMillis(), outcome.timedOut(), outcome.abandoned(), null, null);
        }

        /** Sends output in chunks, waiting while the socket's queue is full (the worker reads slowly). */
        private void write(byte stream, byte[] data) throws IOException {
            for (int at = 0; at < data.length || (at == 0 && data.length == 0); at += OUTPUT_CHUNK) {
                long until = System.nanoTime() + WRITE_WAIT.toNanos();
                while (socket.writeQueueFull() && !closed && System.nanoTime() < until) {
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted");
                    }
                }
                if (closed || socket.writeQueueFull()) {
                    throw new IOException("the worker closed the session or stopped reading");
                }
                int size = Math.min(OUTPUT_CHUNK, data.length - at);
                Buffer message = Buffer.buffer(size + 1).appendByte(stream).appendBytes(data, at, size);
                socket.writeBinaryMessage(message);
                if (data.length == 0) {
                    break;
                }
            }
        }

        private void end(SessionEnd end) {
            if (closed) {
                return;
            }
            try {
                socket.writeTextMessage(mapper.writeValueAsString(end)).onComplete(written -> socket.close());
            } catch (IOException e) {
                socket.close();
            }
        }

        /** A run's stdin: the worker's binary messages until its end of input. */
        private final class InboxStream extends InputStream {
            private byte[] current = new byte[0];
            private int position;
            private boolean ended;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] into, int offset, int length) throws IOException {
                while (!ended && position == current.length) {
                    try {
                        Object next = take();
                        if (next == END_OF_INPUT) {
                            ended = true;
                        } else {
                            current = (byte[]) next;
                            position = 0;
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted");
                    }
                }
                if (position == current.length) {
                    return -1;
                }
                int count = Math.min(length, current.length - position);
                System.arraycopy(current, position, into, offset, count);
                position += count;
                return count;
            }
        }
    }
}
