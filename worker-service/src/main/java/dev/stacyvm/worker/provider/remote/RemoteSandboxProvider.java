package dev.stacyvm.worker.provider.remote;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.api.SandboxStats;
import dev.stacyvm.contract.internal.ImageCommit;
import dev.stacyvm.contract.internal.RuntimeHandle;
import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.contract.internal.RuntimeStatus;
import dev.stacyvm.contract.internal.SandboxSpec;
import dev.stacyvm.contract.remote.RemoteRuntimeProtocol;
import dev.stacyvm.contract.remote.RemoteRuntimeProtocol.Control;
import dev.stacyvm.contract.remote.RemoteRuntimeProtocol.Health;
import dev.stacyvm.contract.remote.RemoteRuntimeProtocol.SessionStart;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.error.ProviderFailureException;
import dev.stacyvm.worker.error.RuntimeNotFoundException;
import dev.stacyvm.worker.error.RuntimeNotRunningException;
import dev.stacyvm.worker.error.SandboxOperationException;
import dev.stacyvm.worker.provider.CommandResult;
import dev.stacyvm.worker.provider.ExecCommand;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.ExecOutputSink;
import dev.stacyvm.worker.provider.InteractiveExec;
import dev.stacyvm.worker.provider.LogTail;
import dev.stacyvm.worker.provider.ProviderCapabilities;
import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.provider.TerminalSize;
import dev.stacyvm.worker.provider.docker.Utf8Decoder;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The {@code remote} provider: sandboxes on a runtime a team runs itself (a Firecracker fleet, a
 * cloud), driven over the remote runtime contract (docs/remote-runtime.md;
 * {@link RemoteRuntimeProtocol}). Every call goes to the runtime; the worker keeps nothing about
 * its sandboxes but what the runtime answers. The files API works as on every provider, through
 * {@link #run} helper commands; builds ({@code images}) and preview ports are not part of the
 * contract's first version, so this provider never offers them, whatever the runtime says.
 */
@Singleton
@Identifier(RemoteSandboxProvider.NAME)
public class RemoteSandboxProvider implements SandboxProvider {

    public static final String NAME = "remote";

    /** What the contract carries: capabilities a runtime may claim and this provider passes on. */
    static final List<String> CARRIED = List.of(ProviderCapabilities.EXEC, ProviderCapabilities.EXEC_TIMEOUT,
            ProviderCapabilities.PROCESSES, ProviderCapabilities.FILES, ProviderCapabilities.ARCHIVES,
            ProviderCapabilities.TERMINAL, ProviderCapabilities.NETWORK, ProviderCapabilities.LOGS);
    /** How long a health answer is reused: heartbeats and provider checks ask every few seconds. */
    private static final Duration HEALTH_FOR = Duration.ofSeconds(5);
    /** How long past a command's timeout the runtime has to say it ended. */
    private static final Duration END_GRACE = Duration.ofSeconds(60);
    private static final Duration CREATE_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration POLL = Duration.ofMillis(500);

    private final RemoteRuntimeClient client;
    private final Duration defaultTimeout;
    /** The sandboxes this worker has on the runtime: those it created, and those the runtime listed for it. */
    private final java.util.Set<String> known = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.locks.ReentrantLock healthRefresh = new java.util.concurrent.locks.ReentrantLock();
    private volatile Health health;
    private volatile long healthAt;

    @Inject
    RemoteSandboxProvider(WorkerConfig config, ObjectMapper mapper) {
        this(config.remote().url().map(url -> new RemoteRuntimeClient(url, config.remote().token().orElse(""),
                config.remote().callTimeout(), mapper)).orElse(null), config.execDefaultTimeout());
    }

    /**
     * A provider for the runtime {@code client} speaks to; none (null) makes a provider that is
     * unhealthy and refuses every call.
     *
     * @param defaultTimeout a command's timeout when it names none
     */
    public RemoteSandboxProvider(RemoteRuntimeClient client, Duration defaultTimeout) {
        this.client = client;
        this.defaultTimeout = defaultTimeout;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RuntimeHandle create(RuntimeSpec spec, String workerId) {
        // a runtime that names no isolation offers the default alone, as placement reads a worker that names none
        List<String> offered = ociRuntimes().isEmpty() ? List.of(SandboxSpec.DEFAULT_RUNTIME) : ociRuntimes();
        if (!offered.contains(spec.runtime() == null ? SandboxSpec.DEFAULT_RUNTIME : spec.runtime())) {
            throw new InvalidRequestException("the remote runtime offers no runtime " + spec.runtime() + ": it offers "
                    + offered);
        }
        RuntimeHandle answered = client().call("PUT", RemoteRuntimeClient.sandboxPath(spec.sandboxId()),
                new RemoteRuntimeProtocol.Create(spec, workerId), new TypeReference<RuntimeHandle>() { }, CREATE_TIMEOUT,
                spec.sandboxId(), null);
        known.add(spec.sandboxId());
        // only the runtime's own id and the image digest are taken from it: the sandbox, the worker
        // and where previews go are the worker's to say (a remote sandbox has none)
        return new RuntimeHandle(spec.sandboxId(), answered == null ? null : answered.runtimeId(), workerId, Map.of(), null,
                answered == null ? null : answered.imageDigest());
    }

    /**
     * Whether this worker made the sandbox on the runtime, or the runtime listed it for this worker:
     * answered from what the worker knows, never by asking the runtime, as every call for a sandbox
     * of the worker's first provider asks here first (a runtime must not be able to claim, or even
     * learn of, a Docker sandbox).
     */
    @Override
    public boolean holds(String sandboxId) {
        return sandboxId != null && known.contains(sandboxId);
    }

    @Override
    public void destroy(String sandboxId) {
        try {
            client().call("DELETE", RemoteRuntimeClient.sandboxPath(sandboxId), null, null, null, sandboxId, null);
        } catch (RuntimeNotFoundException alreadyGone) {
            // destroy is idempotent
        }
        known.remove(sandboxId);
    }

    @Override
    public ExecOutcome exec(String sandboxId, ExecCommand command, ExecOutputSink sink) {
        // a missing or stopped sandbox is the session's own answer: no call ahead of it
        Duration timeout = timeoutOf(command);
        long started = System.nanoTime();
        long until = started + timeout.plus(END_GRACE).toNanos();
        Utf8Decoder stdout = new Utf8Decoder();
        Utf8Decoder stderr = new Utf8Decoder();
        try (RemoteSession session = client().session(sandboxId, start(RemoteRuntimeProtocol.EXEC, command.argv(),
                command.env(), command.workdir(), timeout, null))) {
            while (System.nanoTime() < until) {
                RemoteSession.Event event = session.next(POLL);
                try {
                    switch (event) {
                        case null -> sink.idle();
                        case RemoteSession.Output output -> {
                            boolean err = output.stream() == RemoteRuntimeProtocol.STDERR;
                            String text = (err ? stderr : stdout).decode(output.data());
                            if (!text.isEmpty()) {
                                sink.accept(err ? ExecOutputSink.STDERR : ExecOutputSink.STDOUT, text);
                            }
                        }
                        case RemoteSession.Ended end -> {
                            ExecOutcome outcome = RemoteInteractiveExec.outcome(end.end(), sandboxId);
                            flush(sink, ExecOutputSink.STDOUT, stdout.finish());
                            flush(sink, ExecOutputSink.STDERR, stderr.finish());
                            return outcome;
                        }
                        case RemoteSession.Lost lost -> throw new ProviderFailureException(lost.why());
                    }
                } catch (IOException receiverGone) {
                    // closing the session is what kills the command on the runtime
                    return new ExecOutcome(-1, Duration.ofNanos(System.nanoTime() - started), false, true);
                }
            }
            throw new ProviderFailureException("the remote runtime did not end a command past its timeout");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ExecOutcome(-1, Duration.ofNanos(System.nanoTime() - started), false, true);
        }
    }

    private static void flush(ExecOutputSink sink, String stream, String rest) throws IOException {
        if (!rest.isEmpty()) {
            sink.accept(stream, rest);
        }
    }

    @Override
    public InteractiveExec openInteractive(String sandboxId, ExecCommand command, TerminalSize terminal) {
        requireRunning(sandboxId);
        Duration timeout = timeoutOf(command);
        RemoteSession session = client().session(sandboxId, start(RemoteRuntimeProtocol.INTERACTIVE, command.argv(),
                command.env(), command.workdir(), timeout, terminal));
        return new RemoteInteractiveExec(session, sandboxId, timeout.plus(END_GRACE));
    }

    @Override
    public CommandResult run(String sandboxId, List<String> argv, InputStream input, OutputStream output, Duration timeout) {
        Duration limit = timeout == null ? defaultTimeout : timeout;
        long until = System.nanoTime() + limit.plus(END_GRACE).toNanos();
        try (RemoteSession session = client().session(sandboxId, start(RemoteRuntimeProtocol.RUN, argv, Map.of(), null,
                limit, null))) {
            Thread feeder = Thread.ofVirtual().name("remote-run-input").start(() -> {
                if (!feed(session, input)) {
                    // input that cannot be passed on would leave the command waiting for it
                    session.abort();
                }
            });
            try {
                while (System.nanoTime() < until) {
                    RemoteSession.Event event = session.next(POLL);
                    switch (event) {
                        case null -> { }
                        case RemoteSession.Output out -> {
                            if (out.stream() == RemoteRuntimeProtocol.STDOUT && output != null) {
                                output.write(out.data());
                            }
                        }
                        case RemoteSession.Ended end -> {
                            if (end.end().error() != null) {
                                throw RemoteErrors.toException(end.end().error(), sandboxId, null);
                            }
                            return new CommandResult(end.end().exitCode() == null ? -1 : end.end().exitCode(),
                                    end.end().stderr() == null ? "" : end.end().stderr().strip());
                        }
                        case RemoteSession.Lost lost -> throw new ProviderFailureException(lost.why());
                    }
                }
                throw new ProviderFailureException("the remote runtime did not end a command past its timeout");
            } finally {
                feeder.interrupt();
                if (!feeder.join(Duration.ofSeconds(5))) {
                    Log.warnf("a run's input in sandbox %s was still being read 5 s after it ended", sandboxId);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderFailureException("interrupted while running a command in sandbox " + sandboxId);
        }
    }

    /**
     * Sends a run's input, then its end.
     *
     * @return whether all of it went; false when the session or the input failed first
     */
    private static boolean feed(RemoteSession session, InputStream input) {
        try {
            if (input != null) {
                byte[] buffer = new byte[RemoteSession.INPUT_CHUNK];
                int read;
                while ((read = input.read(buffer)) >= 0) {
                    if (Thread.currentThread().isInterrupted()) {
                        return true; // the command ended: what it reads no longer matters
                    }
                    session.send(buffer, 0, read);
                }
            }
            session.control(new Control(Control.EOF, null, null, null));
            return true;
        } catch (IOException failed) {
            return Thread.currentThread().isInterrupted();
        }
    }

    @Override
    public void requireRunning(String sandboxId) {
        if (!status(sandboxId).running()) {
            throw new RuntimeNotRunningException(sandboxId);
        }
    }

    private RuntimeStatus status(String sandboxId) {
        RuntimeStatus status = client().call("GET", RemoteRuntimeClient.sandboxPath(sandboxId), null,
                new TypeReference<RuntimeStatus>() { }, null, sandboxId, null);
        if (status == null || !sandboxId.equals(status.sandboxId())) {
            throw new ProviderFailureException("the remote runtime answered about another sandbox than " + sandboxId);
        }
        return status;
    }

    @Override
    public void requireWorkdir(String sandboxId, String workdir) {
        client().call("POST", RemoteRuntimeClient.sandboxPath(sandboxId) + "/workdir", new RemoteRuntimeProtocol.Workdir(workdir),
                null, null, sandboxId, null);
    }

    @Override
    public LogTail.Result logs(String sandboxId, int lines, int maxBytes) {
        RemoteRuntimeProtocol.Logs logs = client().call("GET", RemoteRuntimeClient.sandboxPath(sandboxId) + "/logs?lines="
                + lines + "&max_bytes=" + maxBytes, null, new TypeReference<RemoteRuntimeProtocol.Logs>() { }, null, sandboxId, null);
        return new LogTail.Result(logs.lines() == null ? List.of() : logs.lines(), logs.truncated());
    }

    @Override
    public long diskUsedBytes(String sandboxId) {
        return client().call("GET", RemoteRuntimeClient.sandboxPath(sandboxId) + "/disk", null,
                new TypeReference<RemoteRuntimeProtocol.DiskUsage>() { }, null, sandboxId, null).usedBytes();
    }

    @Override
    public SandboxStats stats(String sandboxId) {
        return client().call("GET", RemoteRuntimeClient.sandboxPath(sandboxId) + "/stats", null,
                new TypeReference<SandboxStats>() { }, null, sandboxId, null);
    }

    @Override
    public void applyNetworkPolicy(String sandboxId, NetworkPolicy policy) {
        client().call("PUT", RemoteRuntimeClient.sandboxPath(sandboxId) + "/network-policy",
                policy == null ? Map.of() : policy, null, null, sandboxId, null);
    }

    @Override
    public String processes(String sandboxId) {
        return client().call("GET", RemoteRuntimeClient.sandboxPath(sandboxId) + "/processes", null,
                new TypeReference<com.fasterxml.jackson.databind.JsonNode>() { }, null, sandboxId, null).toString();
    }

    @Override
    public void signal(String sandboxId, int pid, String signal) {
        client().call("POST", RemoteRuntimeClient.sandboxPath(sandboxId) + "/signal", new RemoteRuntimeProtocol.Signal(pid, signal),
                null, null, sandboxId, pid);
    }

    @Override
    public ImageCommit.Result commit(String sandboxId, ImageCommit commit) {
        throw new InvalidRequestException("builds run on docker: the remote provider makes no images");
    }

    @Override
    public ImageCommit.Base imageConfig(String sandboxId) {
        throw new InvalidRequestException("builds run on docker: the remote provider makes no images");
    }

    @Override
    public List<RuntimeStatus> runtimes(String workerId) {
        List<RuntimeStatus> listed = client().call("GET", "/sandboxes?worker_id=" + URLEncoder.encode(workerId, StandardCharsets.UTF_8),
                null, new TypeReference<List<RuntimeStatus>>() { }, null, null, null);
        List<RuntimeStatus> valid = listed == null ? List.of() : listed.stream()
                .filter(status -> status != null && status.sandboxId() != null && RemoteRuntimeClient.isSandboxId(status.sandboxId()))
                .toList();
        // what a worker restart forgot is found again here (the scheduler reconciles through this list)
        valid.forEach(status -> known.add(status.sandboxId()));
        return valid;
    }

    @Override
    public boolean healthy() {
        return health().healthy();
    }

    @Override
    public List<String> capabilities() {
        return health().capabilities() == null ? List.of()
                : CARRIED.stream().filter(health().capabilities()::contains).toList();
    }

    @Override
    public List<String> ociRuntimes() {
        Health now = health();
        return !now.healthy() || now.runtimes() == null ? List.of()
                : SandboxSpec.RUNTIMES.stream().filter(now.runtimes()::contains).toList();
    }

    @Override
    public String engineVersion() {
        Health now = health();
        return now.healthy() ? now.engineVersion() : null;
    }

    /** The runtime's last health answer, at most {@link #HEALTH_FOR} old; unhealthy when it did not answer. */
    private Health health() {
        Health last = health;
        if (last != null && System.nanoTime() - healthAt < HEALTH_FOR.toNanos()) {
            return last;
        }
        // one refresh at a time: a runtime that hangs holds one caller, the others get the last answer
        if (!healthRefresh.tryLock()) {
            return last != null ? last : new Health(false, List.of(), List.of(), null);
        }
        try {
            return refreshHealth();
        } finally {
            healthRefresh.unlock();
        }
    }

    private Health refreshHealth() {
        long now = System.nanoTime();
        Health fresh;
        if (client == null) {
            fresh = new Health(false, List.of(), List.of(), null);
        } else {
            try {
                fresh = client.call("GET", "/health", null, new TypeReference<Health>() { }, Duration.ofSeconds(5), null, null);
            } catch (SandboxOperationException unreachable) {
                Log.warnf("the remote runtime at %s is unhealthy: %s", client.base(), unreachable.getMessage());
                fresh = new Health(false, List.of(), List.of(), null);
            }
        }
        health = fresh;
        healthAt = now;
        return fresh;
    }

    private RemoteRuntimeClient client() {
        if (client == null) {
            throw new ProviderFailureException("the remote provider has no runtime: set stacyvm.worker.remote.url");
        }
        return client;
    }

    private Duration timeoutOf(ExecCommand command) {
        return command.timeout() == null ? defaultTimeout : command.timeout();
    }

    private static SessionStart start(String kind, List<String> argv, Map<String, String> env, String workdir, Duration timeout,
                                      TerminalSize terminal) {
        return new SessionStart(kind, argv, env == null ? Map.of() : env, workdir, timeout.toMillis(),
                terminal == null ? null : terminal.cols(), terminal == null ? null : terminal.rows());
    }
}
