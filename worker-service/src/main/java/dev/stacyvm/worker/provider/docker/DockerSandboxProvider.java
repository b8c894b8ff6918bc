package dev.stacyvm.worker.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.internal.RuntimeHandle;
import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.contract.internal.RuntimeStatus;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.error.NoSuchProcessException;
import dev.stacyvm.worker.error.NotPermittedInSandboxException;
import dev.stacyvm.worker.error.ProtectedProcessException;
import dev.stacyvm.worker.error.ProviderFailureException;
import dev.stacyvm.worker.error.RuntimeNotFoundException;
import dev.stacyvm.worker.error.RuntimeNotRunningException;
import dev.stacyvm.worker.error.WorkerUnavailableException;
import dev.stacyvm.worker.provider.CommandResult;
import dev.stacyvm.worker.provider.ExecCommand;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.ExecOutputSink;
import dev.stacyvm.worker.provider.LogTail;
import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.service.ExecCommands;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Sandboxes as Docker containers, hardened for untrusted code as {@link HardenedContainers} says.
 * A sandbox's container is named {@code stacyvm-<sandbox id>}: either claimed from the
 * {@link WarmPool} (and renamed) or, when no pooled one fits, created cold and labelled with the
 * sandbox, owner and worker.
 */
@ApplicationScoped
public class DockerSandboxProvider implements SandboxProvider {

    public static final String NAME = "docker";
    public static final String LABEL_MANAGED = "dev.stacyvm.managed";
    public static final String LABEL_SANDBOX = "dev.stacyvm.sandbox-id";
    public static final String LABEL_OWNER = "dev.stacyvm.owner-id";
    public static final String LABEL_WORKER = "dev.stacyvm.worker-id";

    private static final List<String> CAPABILITIES = List.of("exec", "exec-timeout", "network", "preview-ports", "logs");
    /** Every exec sees its sandbox's id here (pooled containers were started before they had one). */
    static final String SANDBOX_ID_ENV = "STACYVM_SANDBOX_ID";
    /** Exit status of a command the agent ended at its timeout, and of one ended by SIGKILL. */
    private static final int TIMEOUT_EXIT = 124;
    private static final int KILLED_EXIT = 137;
    /** How long a listing or a signal through the agent may take. */
    private static final Duration AGENT_CALL_TIMEOUT = Duration.ofSeconds(15);
    /** How often a running exec's receiver is asked whether it is still there. */
    private static final Duration IDLE_CHECK = Duration.ofMillis(500);

    @Inject
    DockerClient docker;

    @Inject
    WorkerConfig config;

    @Inject
    HardenedContainers containers;

    @Inject
    WarmPool warmPool;

    @Inject
    NetworkFence fence;

    @Override
    public String name() {
        return NAME;
    }

    public static String containerName(String sandboxId) {
        return "stacyvm-" + sandboxId;
    }

    @Override
    public RuntimeHandle create(RuntimeSpec spec, String workerId) {
        String name = containerName(spec.sandboxId());
        InspectContainerResponse container = warmPool.claim(spec, name).orElseGet(() -> {
            Map<String, String> labels = new HashMap<>();
            labels.put(LABEL_MANAGED, "true");
            labels.put(LABEL_SANDBOX, spec.sandboxId());
            labels.put(LABEL_OWNER, spec.ownerId());
            labels.put(LABEL_WORKER, workerId);
            List<String> env = new ArrayList<>();
            env.add(SANDBOX_ID_ENV + "=" + spec.sandboxId());
            if (spec.env() != null) {
                spec.env().forEach((variable, value) -> env.add(variable + "=" + value));
            }
            return containers.start(name, ContainerShape.of(spec, config.disk().defaultMb()), env, labels);
        });
        if (ContainerShape.of(spec, config.disk().defaultMb()).networked()) {
            try {
                fence.apply(name, spec.networkPolicy());
            } catch (RuntimeException unfenced) {
                // fail closed: a sandbox whose egress rules are not in force is never handed out
                containers.remove(name);
                throw unfenced;
            }
        }
        return new RuntimeHandle(spec.sandboxId(), container.getId(), workerId, publishedPorts(container), previewHost());
    }

    /**
     * The address the preview-router reaches published ports on: the bind address, or the host of
     * this worker's advertised endpoint when ports are bound on every interface.
     */
    private String previewHost() {
        String bind = config.previewBindAddress();
        if (!bind.equals("0.0.0.0") && !bind.equals("::")) {
            return bind;
        }
        return java.net.URI.create(config.advertisedEndpoint()).getHost();
    }

    /**
     * Every sandbox container of this worker, found by its name: a container claimed from the warm
     * pool keeps the pool's labels, so the name is the one mark every sandbox container carries.
     */
    @Override
    public List<RuntimeStatus> runtimes(String workerId) {
        String prefix = containerName("");
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(LABEL_MANAGED, "true", LABEL_WORKER, workerId)).exec().stream()
                .filter(container -> {
                    String name = WarmPool.nameOf(container);
                    return name != null && name.startsWith(prefix + "sb-");
                })
                .map(container -> new RuntimeStatus(WarmPool.nameOf(container).substring(prefix.length()),
                        container.getId(), "running".equals(container.getState()), container.getState()))
                .toList();
    }

    private static Map<Integer, Integer> publishedPorts(InspectContainerResponse container) {
        Map<Integer, Integer> published = new LinkedHashMap<>();
        if (container.getNetworkSettings() == null || container.getNetworkSettings().getPorts() == null) {
            return published;
        }
        container.getNetworkSettings().getPorts().getBindings().forEach((port, bindings) -> {
            if (bindings != null && bindings.length > 0 && bindings[0].getHostPortSpec() != null) {
                published.put(port.getPort(), Integer.parseInt(bindings[0].getHostPortSpec()));
            }
        });
        return published;
    }

    @Override
    public void destroy(String sandboxId) {
        containers.remove(containerName(sandboxId));
    }

    @Override
    public ExecOutcome exec(String sandboxId, ExecCommand command, ExecOutputSink sink) {
        // the agent (a subreaper) runs the command, kills everything it started when the timeout
        // passes or when it is cancelled by this id, and answers at once when the command exits
        String execId = UUID.randomUUID().toString();
        List<String> argv = new ArrayList<>(List.of(HardenedContainers.AGENT_PATH, "exec",
                "--timeout", seconds(command.timeout()), "--id", execId));
        if (command.workdir() != null) {
            // the agent enters it, so a bad one is its one marked line, never the engine's OCI error
            argv.addAll(List.of("--workdir", command.workdir()));
        }
        argv.add("--");
        argv.addAll(command.argv());
        List<String> env = new ArrayList<>();
        command.env().forEach((name, value) -> env.add(name + "=" + value));
        env.add(SANDBOX_ID_ENV + "=" + sandboxId);
        long started = System.nanoTime();
        ExecCreateCmdResponse exec = createExec(sandboxId, argv, false, env, null);
        FrameForwarder forwarder = new FrameForwarder(sink);
        boolean finished = false;
        try {
            docker.execStartCmd(exec.getId()).exec(forwarder);
            Duration wait = command.timeout().plusSeconds(2).plus(config.execTimeoutGrace());
            long deadline = System.nanoTime() + wait.toNanos();
            // in slices, so a silent command's receiver is asked whether it is still there
            while (!forwarder.abandoned()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                if (forwarder.done.await(Math.min(left, IDLE_CHECK.toNanos()), TimeUnit.NANOSECONDS)) {
                    finished = true;
                    break;
                }
                forwarder.idle();
            }
            if (finished) {
                // completed: answers at once, and raises what the engine reported, if anything
                forwarder.awaitCompletion();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killExec(sandboxId, execId);
            throw new WorkerUnavailableException("worker is shutting down");
        } finally {
            closeQuietly(forwarder);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        if (forwarder.abandoned()) {
            Log.debugf("receiver of an exec in %s went away; killing the command", sandboxId);
            killExec(sandboxId, execId);
            return new ExecOutcome(KILLED_EXIT, took, false, true);
        }
        if (!finished) {
            Log.warnf("exec in %s outlived its timeout and the grace period; killing it", sandboxId);
            killExec(sandboxId, execId);
            return new ExecOutcome(KILLED_EXIT, took, true, false);
        }
        forwarder.finish();
        Long exitCode = exitCodeOf(exec.getId());
        int exit = exitCode == null ? -1 : exitCode.intValue();
        boolean timedOut = (exit == TIMEOUT_EXIT || exit == KILLED_EXIT) && took.compareTo(command.timeout()) >= 0;
        return new ExecOutcome(exit, took, timedOut, false);
    }

    /**
     * Cancels an exec from a second exec: Docker has no way to kill an exec, so the agent is asked
     * to find the exec's agent by its id (in its own argv, not the user's environment) and have it
     * kill every process the exec started; it answers once that agent is gone.
     */
    private void killExec(String sandboxId, String execId) {
        try {
            String killer = docker.execCreateCmd(containerName(sandboxId))
                    .withCmd(HardenedContainers.AGENT_PATH, "kill", "--id", execId).exec().getId();
            docker.execStartCmd(killer).exec(new ResultCallback.Adapter<Frame>()).awaitCompletion(10, TimeUnit.SECONDS);
        } catch (RuntimeException | InterruptedException e) {
            Log.warnf("could not kill an abandoned exec in %s: %s", sandboxId, e.toString());
        }
    }

    /** Passes frames on as text, per stream, and remembers when the receiver went away. */
    private static final class FrameForwarder extends ResultCallback.Adapter<Frame> {
        private final ExecOutputSink sink;
        private final Utf8Decoder stdout = new Utf8Decoder();
        private final Utf8Decoder stderr = new Utf8Decoder();
        private volatile boolean abandoned;
        /** Counted down when the engine ends the exec's output, normally or not. */
        final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);

        FrameForwarder(ExecOutputSink sink) {
            this.sink = sink;
        }

        @Override
        public void onComplete() {
            super.onComplete();
            done.countDown();
        }

        @Override
        public void onError(Throwable failed) {
            super.onError(failed);
            done.countDown();
        }

        /** Asks the receiver whether it is still there (a keepalive); one that is gone abandons the exec. */
        void idle() {
            if (abandoned) {
                return;
            }
            try {
                sink.idle();
            } catch (java.io.IOException gone) {
                abandoned = true;
                closeQuietly(this);
            }
        }

        @Override
        public void onNext(Frame frame) {
            if (abandoned || frame.getPayload() == null) {
                return;
            }
            boolean isErr = frame.getStreamType() == StreamType.STDERR;
            String text = (isErr ? stderr : stdout).decode(frame.getPayload());
            if (!text.isEmpty()) {
                forward(isErr ? ExecOutputSink.STDERR : ExecOutputSink.STDOUT, text);
            }
        }

        void finish() {
            String out = stdout.finish();
            if (!out.isEmpty()) {
                forward(ExecOutputSink.STDOUT, out);
            }
            String err = stderr.finish();
            if (!err.isEmpty()) {
                forward(ExecOutputSink.STDERR, err);
            }
        }

        private void forward(String stream, String text) {
            try {
                sink.accept(stream, text);
            } catch (java.io.IOException gone) {
                abandoned = true;
                closeQuietly(this);
            }
        }

        boolean abandoned() {
            return abandoned;
        }
    }

    private static String seconds(Duration timeout) {
        return new BigDecimal(timeout.toNanos()).movePointLeft(9).stripTrailingZeros().toPlainString();
    }

    private static void closeQuietly(java.io.Closeable output) {
        try {
            output.close();
        } catch (java.io.IOException ignored) {
            // the stream is finished or abandoned either way
        }
    }

    /** Creates an exec in the sandbox's container; a missing container is not_found, a stopped one conflict. */
    private ExecCreateCmdResponse createExec(String sandboxId, List<String> argv, boolean attachStdin, List<String> env,
                                             String workdir) {
        try {
            return docker.execCreateCmd(containerName(sandboxId))
                    .withAttachStdin(attachStdin)
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .withCmd(argv.toArray(String[]::new))
                    .withEnv(env)
                    .withWorkingDir(workdir)
                    .exec();
        } catch (NotFoundException gone) {
            throw new RuntimeNotFoundException(sandboxId);
        } catch (ConflictException notRunning) {
            throw new RuntimeNotRunningException(sandboxId);
        }
    }

    @Override
    public void requireWorkdir(String sandboxId, String workdir) {
        CommandResult checked = run(sandboxId, List.of(HardenedContainers.AGENT_PATH, "workdir", workdir), null,
                java.io.OutputStream.nullOutputStream(), Duration.ofSeconds(10));
        if (checked.exitCode() != 0) {
            throw new InvalidRequestException(ExecCommands.workdirRefusal(checked.stderr(), workdir));
        }
    }

    @Override
    public CommandResult run(String sandboxId, List<String> argv, java.io.InputStream input,
                             java.io.OutputStream output, Duration timeout) {
        ExecCreateCmdResponse exec = createExec(sandboxId, argv, input != null, List.of(), null);
        StringBuilder stderr = new StringBuilder();
        boolean finished;
        if (input != null) {
            try {
                finished = HijackedExecStart.run(config.dockerHost(), exec.getId(), input, output, stderr, timeout);
            } catch (java.io.IOException e) {
                throw new ProviderFailureException("could not start a file operation in sandbox " + sandboxId);
            }
        } else {
            finished = runWithoutInput(exec.getId(), output, stderr, timeout);
        }
        if (!finished) {
            throw new ProviderFailureException("a file operation in sandbox " + sandboxId + " did not finish in time");
        }
        Long exitCode = exitCodeOf(exec.getId());
        synchronized (stderr) {
            return new CommandResult(exitCode == null ? -1 : exitCode.intValue(), stderr.toString().strip());
        }
    }

    /**
     * The exit code once the engine has recorded it: it may lag the end of the output by a moment,
     * so it is asked again after 1 ms, then after twice as long each time, for about two seconds.
     */
    private Long exitCodeOf(String execId) {
        long pause = 1;
        for (int attempt = 0; attempt < 12; attempt++) {
            var inspected = docker.inspectExecCmd(execId).exec();
            if (!Boolean.TRUE.equals(inspected.isRunning()) && inspected.getExitCodeLong() != null) {
                return inspected.getExitCodeLong();
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            pause = Math.min(pause * 2, 500);
        }
        return docker.inspectExecCmd(execId).exec().getExitCodeLong();
    }

    private boolean runWithoutInput(String execId, java.io.OutputStream output, StringBuilder stderr, Duration timeout) {
        java.util.concurrent.atomic.AtomicReference<java.io.IOException> outputFailure =
                new java.util.concurrent.atomic.AtomicReference<>();
        ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                byte[] payload = frame.getPayload();
                if (payload == null) {
                    return;
                }
                if (frame.getStreamType() == StreamType.STDERR) {
                    synchronized (stderr) {
                        if (stderr.length() < 8192) {
                            stderr.append(new String(payload, java.nio.charset.StandardCharsets.UTF_8));
                        }
                    }
                } else if (output != null && outputFailure.get() == null) {
                    try {
                        output.write(payload);
                    } catch (java.io.IOException gone) {
                        outputFailure.set(gone);
                        closeQuietly(this);
                    }
                }
            }
        };
        try {
            docker.execStartCmd(execId).exec(callback);
            boolean finished = callback.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (outputFailure.get() != null) {
                throw new java.io.UncheckedIOException("the receiver of the output went away", outputFailure.get());
            }
            return finished;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerUnavailableException("worker is shutting down");
        } finally {
            closeQuietly(callback);
        }
    }

    @Override
    public String processes(String sandboxId) {
        requireRunning(sandboxId);
        java.io.ByteArrayOutputStream listing = new java.io.ByteArrayOutputStream();
        CommandResult result = run(sandboxId, List.of(HardenedContainers.AGENT_PATH, "ps"), null, listing, AGENT_CALL_TIMEOUT);
        if (result.exitCode() != 0) {
            throw new ProviderFailureException("could not list the processes of sandbox " + sandboxId);
        }
        return listing.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void signal(String sandboxId, int pid, String signal) {
        requireRunning(sandboxId);
        CommandResult result = run(sandboxId, List.of(HardenedContainers.AGENT_PATH, "signal", String.valueOf(pid), signal),
                null, null, AGENT_CALL_TIMEOUT);
        switch (result.exitCode()) {
            case 0 -> { }
            case 2 -> throw new InvalidRequestException("signal must be one of HUP, INT, QUIT, KILL, USR1, USR2, TERM, CONT, STOP");
            case 3 -> throw new NoSuchProcessException(pid, sandboxId);
            case 4 -> throw new ProtectedProcessException("process " + pid
                    + " is the sandbox's init or its agent; end the sandbox instead");
            case 5 -> throw new NotPermittedInSandboxException("the sandbox's user may not signal process " + pid);
            default -> throw new ProviderFailureException("could not signal a process in sandbox " + sandboxId);
        }
    }

    @Override
    public void requireRunning(String sandboxId) {
        InspectContainerResponse container;
        try {
            container = docker.inspectContainerCmd(containerName(sandboxId)).exec();
        } catch (NotFoundException gone) {
            throw new RuntimeNotFoundException(sandboxId);
        }
        if (container.getState() == null || !Boolean.TRUE.equals(container.getState().getRunning())) {
            throw new RuntimeNotRunningException(sandboxId);
        }
    }

    @Override
    public void applyNetworkPolicy(String sandboxId, NetworkPolicy policy) {
        String name = containerName(sandboxId);
        try {
            docker.inspectContainerCmd(name).exec();
        } catch (NotFoundException gone) {
            throw new RuntimeNotFoundException(sandboxId);
        }
        fence.apply(name, policy);
    }

    @Override
    public long diskUsedBytes(String sandboxId) {
        try {
            // SizeRw: the bytes of the container's writable layer, which holds everything it wrote
            Long sizeRw = docker.inspectContainerCmd(containerName(sandboxId)).withSize(true).exec().getSizeRw();
            return sizeRw == null ? 0 : sizeRw;
        } catch (NotFoundException gone) {
            throw new RuntimeNotFoundException(sandboxId);
        }
    }

    @Override
    public LogTail.Result logs(String sandboxId, int lines, int maxBytes) {
        LogTail tail = new LogTail(maxBytes);
        try (var callback = docker.logContainerCmd(containerName(sandboxId))
                .withStdOut(true).withStdErr(true).withTail(lines)
                .exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Frame>() {
                    @Override
                    public void onNext(com.github.dockerjava.api.model.Frame frame) {
                        tail.accept(frame.getPayload());
                    }
                })) {
            callback.awaitCompletion(30, TimeUnit.SECONDS);
        } catch (NotFoundException gone) {
            throw new RuntimeNotFoundException(sandboxId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerUnavailableException("worker is shutting down");
        } catch (java.io.IOException e) {
            throw new ProviderFailureException("could not read the sandbox's logs");
        }
        return tail.finish();
    }

    @Override
    public List<String> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public boolean healthy() {
        try {
            docker.pingCmd().exec();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
