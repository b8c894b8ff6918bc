package dev.stacyvm.worker.provider.docker;

import static dev.stacyvm.worker.provider.docker.DockerSandboxProvider.SANDBOX_ID_ENV;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.ProviderFailureException;
import dev.stacyvm.worker.error.RuntimeNotFoundException;
import dev.stacyvm.worker.error.RuntimeNotRunningException;
import dev.stacyvm.worker.error.WorkerUnavailableException;
import dev.stacyvm.worker.provider.CommandResult;
import dev.stacyvm.worker.provider.ExecCommand;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.ExecOutputSink;
import dev.stacyvm.worker.provider.agent.AgentFrame;
import dev.stacyvm.worker.provider.agent.AgentProcess;
import dev.stacyvm.worker.provider.agent.AgentProtocolException;
import dev.stacyvm.worker.provider.agent.AgentSpawn;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Commands in a sandbox's container through the engine's exec API, for the Docker provider: a
 * user's command through the agent (output streamed as it is written, killed with everything it
 * started at its timeout or when its receiver goes away, by the id the agent carries in its argv)
 * and the worker's helper commands (file operations, {@code ps}, signals) with stdin and stdout.
 */
@ApplicationScoped
class DockerExecs implements dev.stacyvm.worker.provider.agent.ExecControl {

    /** Exit status of a command the agent ended at its timeout, and of one ended by SIGKILL. */
    private static final int TIMEOUT_EXIT = 124;
    private static final int KILLED_EXIT = 137;
    /** What the engine records for an exec its OCI runtime could not start. */
    private static final long ENGINE_EXEC_FAILED = 126;
    /** How often a running exec's receiver is asked whether it is still there. */
    private static final Duration IDLE_CHECK = Duration.ofMillis(500);

    @Inject
    PoolClaims claims;

    @Inject
    DockerClient docker;

    @Inject
    WorkerConfig config;

    @Inject
    SandboxAgents agents;

    /**
     * Runs a user's command through the agent, streaming its output to {@code sink}: see
     * {@link dev.stacyvm.worker.provider.SandboxProvider#exec}.
     */
    ExecOutcome exec(String sandboxId, ExecCommand command, ExecOutputSink sink) {
        // the agent (a subreaper) runs the command, kills everything it started when the timeout
        // passes or when it is cancelled by this id, and answers at once when the command exits
        String execId = UUID.randomUUID().toString();
        long started = System.nanoTime();
        List<String> argv = agentArgv(command, execId, false);
        List<String> env = environment(sandboxId, command, false);
        java.util.Optional<AgentProcess> served = agents.spawn(sandboxId, new AgentSpawn(argv, env, null, 0, 0, false));
        if (served.isPresent()) {
            return execThroughAgent(sandboxId, command, execId, served.get(), sink, started);
        }
        ExecCreateCmdResponse exec = createExec(sandboxId, argv, false, env, null);
        FrameForwarder forwarder = new FrameForwarder(sink);
        boolean finished = false;
        try {
            docker.execStartCmd(exec.getId()).exec(forwarder);
            finished = awaitEnd(forwarder, command);
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
        requireRanInRunningContainer(sandboxId, exitCode);
        int exit = exitCode == null ? -1 : exitCode.intValue();
        boolean timedOut = (exit == TIMEOUT_EXIT || exit == KILLED_EXIT) && took.compareTo(command.timeout()) >= 0;
        return new ExecOutcome(exit, took, timedOut, false);
    }

    /**
     * {@link #exec} through the sandbox's agent: its frames feed the same forwarder as the engine's
     * would, and the agent's {@code EXIT} carries the status the engine would have recorded.
     */
    private ExecOutcome execThroughAgent(String sandboxId, ExecCommand command, String execId, AgentProcess process,
                                         ExecOutputSink sink, long started) {
        FrameForwarder forwarder = new FrameForwarder(sink);
        java.util.concurrent.atomic.AtomicInteger exit = new java.util.concurrent.atomic.AtomicInteger(-1);
        Thread.ofVirtual().name("agent-exec-" + execId).start(() -> relay(process, forwarder, exit));
        boolean finished;
        try {
            finished = awaitEnd(forwarder, command);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.close();
            killExec(sandboxId, execId);
            throw new WorkerUnavailableException("worker is shutting down");
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        if (forwarder.abandoned() || !finished) {
            // closing has the agent terminate it; the kill waits until all it started is gone
            process.close();
            killExec(sandboxId, execId);
            if (forwarder.abandoned()) {
                Log.debugf("receiver of an exec in %s went away; killed the command", sandboxId);
                return new ExecOutcome(KILLED_EXIT, took, false, true);
            }
            Log.warnf("exec in %s outlived its timeout and the grace period; killed it", sandboxId);
            return new ExecOutcome(KILLED_EXIT, took, true, false);
        }
        process.close();
        forwarder.finish();
        int status = exit.get();
        boolean timedOut = (status == TIMEOUT_EXIT || status == KILLED_EXIT) && took.compareTo(command.timeout()) >= 0;
        return new ExecOutcome(status, took, timedOut, false);
    }

    /** Passes an agent process's output to {@code forwarder} as the engine's frames, and its status to {@code exit}. */
    private static void relay(AgentProcess process, FrameForwarder forwarder, java.util.concurrent.atomic.AtomicInteger exit) {
        try {
            while (true) {
                AgentFrame frame = process.next();
                if (frame.type() == AgentFrame.EXIT) {
                    exit.set(AgentProcess.exitCode(frame));
                    forwarder.onComplete();
                    return;
                }
                forwarder.onNext(new Frame(frame.type() == AgentFrame.STDERR ? StreamType.STDERR : StreamType.STDOUT,
                        frame.payload()));
            }
        } catch (java.io.IOException | RuntimeException ended) {
            // the agent went away mid-command (or the exec was closed): as the engine's stream ending
            forwarder.onError(ended);
        }
    }

    /**
     * Waits for an exec's output to end, at most its timeout, two seconds and the grace period, in
     * slices, so a silent command's receiver is asked whether it is still there.
     *
     * @return whether it ended; false when the wait ran out or the receiver went away
     */
    private boolean awaitEnd(FrameForwarder forwarder, ExecCommand command) throws InterruptedException {
        Duration wait = command.timeout().plusSeconds(2).plus(config.execTimeoutGrace());
        long deadline = System.nanoTime() + wait.toNanos();
        while (!forwarder.abandoned()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            if (forwarder.done.await(Math.min(left, IDLE_CHECK.toNanos()), TimeUnit.NANOSECONDS)) {
                return true;
            }
            forwarder.idle();
        }
        return false;
    }

    /** The agent's argv for a user's command ({@link dev.stacyvm.worker.provider.agent.AgentCommands#execArgv}). */
    private static List<String> agentArgv(ExecCommand command, String execId, boolean pty) {
        return dev.stacyvm.worker.provider.agent.AgentCommands.execArgv(HardenedContainers.AGENT_PATH, command, execId, pty);
    }

    /** The command's environment, the sandbox's id added; a terminal gets a TERM unless the command names one. */
    private static List<String> environment(String sandboxId, ExecCommand command, boolean pty) {
        List<String> env = new ArrayList<>();
        command.env().forEach((name, value) -> env.add(name + "=" + value));
        if (pty && !command.env().containsKey("TERM")) {
            env.add("TERM=xterm-256color");
        }
        env.add(SANDBOX_ID_ENV + "=" + sandboxId);
        return env;
    }

    /**
     * Starts a user's command with its stdin open, on a PTY of {@code terminal}'s size or without
     * one: see {@link dev.stacyvm.worker.provider.SandboxProvider#openInteractive}. The engine's
     * exec is started on a hijacked connection of its own (stdin and output both stream); with a
     * TTY the engine gives the agent a terminal as its controlling one and its output is raw.
     */
    dev.stacyvm.worker.provider.InteractiveExec openInteractive(String sandboxId, ExecCommand command,
                                                                 dev.stacyvm.worker.provider.TerminalSize terminal) {
        String execId = UUID.randomUUID().toString();
        boolean pty = terminal != null;
        List<String> env = environment(sandboxId, command, pty);
        java.util.Optional<AgentProcess> served = agents.spawn(sandboxId, new AgentSpawn(agentArgv(command, execId, pty), env,
                null, pty ? terminal.cols() : 0, pty ? terminal.rows() : 0, true));
        if (served.isPresent()) {
            var started = new dev.stacyvm.worker.provider.agent.AgentInteractiveExec(this, sandboxId, execId, pty, served.get(),
                    command.timeout());
            started.closeAfter(command.timeout().plusSeconds(2).plus(config.execTimeoutGrace()));
            return started;
        }
        ExecCreateCmdResponse exec;
        try {
            exec = docker.execCreateCmd(claims.ref(sandboxId))
                    .withAttachStdin(true)
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .withTty(pty)
                    .withCmd(agentArgv(command, execId, pty).toArray(String[]::new))
                    .withEnv(env)
                    .exec();
        } catch (NotFoundException gone) {
            throw new RuntimeNotFoundException(sandboxId);
        } catch (ConflictException notRunning) {
            throw new RuntimeNotRunningException(sandboxId);
        }
        HijackedExecStart.Connection connection;
        try {
            connection = HijackedExecStart.open(config.dockerHost(), exec.getId(), pty);
        } catch (java.io.IOException e) {
            throw new ProviderFailureException("could not start a command in sandbox " + sandboxId);
        }
        DockerInteractiveExec started = new DockerInteractiveExec(this, sandboxId, execId, exec.getId(), pty, connection,
                command.timeout());
        if (pty) {
            started.resize(terminal);
        }
        started.closeAfter(command.timeout().plusSeconds(2).plus(config.execTimeoutGrace()));
        return started;
    }

    /** Sets an exec's TTY size; an exec that already ended is left alone. */
    void resizeExec(String engineExecId, dev.stacyvm.worker.provider.TerminalSize size) {
        try {
            docker.resizeExecCmd(engineExecId).withSize(size.rows(), size.cols()).exec();
        } catch (RuntimeException ended) {
            Log.debugf("could not resize exec %s: %s", engineExecId, ended.toString());
        }
    }

    /** Signals an exec's foreground job (or command) through the agent; see the agent's {@code kill --signal}. */
    @Override
    public boolean signal(String sandboxId, String execId, String signal) {
        java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
        CommandResult result = run(sandboxId, List.of(HardenedContainers.AGENT_PATH, "kill", "--id", execId, "--signal", signal),
                null, answer, Duration.ofSeconds(10));
        if (result.exitCode() == 2) {
            throw new dev.stacyvm.worker.error.InvalidRequestException("unknown signal " + signal);
        }
        return !answer.toString(java.nio.charset.StandardCharsets.UTF_8).contains("\"signalled\":0");
    }

    /** The exit code an ended exec recorded, or -1. */
    int exitCode(String engineExecId) {
        Long exit = exitCodeOf(engineExecId);
        return exit == null ? -1 : exit.intValue();
    }

    /** Kills an exec and everything it started (see {@link #killExec}); for the interactive ones. */
    @Override
    public void kill(String sandboxId, String execId) {
        killExec(sandboxId, execId);
    }

    /**
     * Cancels an exec from a second exec: Docker has no way to kill an exec, so the agent is asked
     * to find the exec's agent by its id (in its own argv, not the user's environment) and have it
     * kill every process the exec started; it answers once that agent is gone.
     */
    private void killExec(String sandboxId, String execId) {
        try {
            run(sandboxId, List.of(HardenedContainers.AGENT_PATH, "kill", "--id", execId), null,
                    java.io.OutputStream.nullOutputStream(), Duration.ofSeconds(10));
        } catch (RuntimeException e) {
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
            return docker.execCreateCmd(claims.ref(sandboxId))
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

    /** Runs a helper command with optional stdin: see {@link dev.stacyvm.worker.provider.SandboxProvider#run}. */
    CommandResult run(String sandboxId, List<String> argv, java.io.InputStream input,
                             java.io.OutputStream output, Duration timeout) {
        java.util.Optional<AgentProcess> served = agents.spawn(sandboxId,
                new AgentSpawn(argv, List.of(), null, 0, 0, input != null));
        if (served.isPresent()) {
            return runThroughAgent(sandboxId, served.get(), input, output, timeout);
        }
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
        requireRanInRunningContainer(sandboxId, exitCode);
        synchronized (stderr) {
            return new CommandResult(exitCode == null ? -1 : exitCode.intValue(), stderr.toString().strip());
        }
    }

    /** {@link #run} through the sandbox's agent: stdin fed from another thread, the connection closed at the timeout. */
    private static CommandResult runThroughAgent(String sandboxId, AgentProcess process, java.io.InputStream input,
                                                 java.io.OutputStream output, Duration timeout) {
        StringBuilder stderr = new StringBuilder();
        Thread feeder = input == null ? null : Thread.ofVirtual().name("agent-stdin-" + process.pid()).start(() -> {
            // as large as a request body's chunk (256 KiB), so an upload's chunk goes over in one frame
            byte[] buffer = new byte[256 * 1024];
            try {
                for (int n; (n = input.read(buffer)) >= 0; ) {
                    process.stdin(buffer, 0, n);
                }
                process.closeStdin();
            } catch (java.io.IOException ended) {
                // the upload or the connection ended; the command sees the end of its input
                try {
                    process.closeStdin();
                } catch (java.io.IOException gone) {
                    // the connection is gone: the command was terminated
                }
            }
        });
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(timeout.toMillis());
                process.close();
            } catch (InterruptedException done) {
                // finished in time
            }
        });
        try (process) {
            while (true) {
                AgentFrame frame;
                try {
                    frame = process.next();
                } catch (java.io.IOException ended) {
                    if (watchdog.isAlive()) {
                        throw new ProviderFailureException("the agent of sandbox " + sandboxId + " went away during a file operation");
                    }
                    throw new ProviderFailureException("a file operation in sandbox " + sandboxId + " did not finish in time");
                }
                switch (frame.type()) {
                    case AgentFrame.EXIT -> {
                        synchronized (stderr) {
                            return new CommandResult(AgentProcess.exitCode(frame), stderr.toString().strip());
                        }
                    }
                    case AgentFrame.STDERR -> {
                        synchronized (stderr) {
                            if (stderr.length() < 8192) {
                                stderr.append(new String(frame.payload(), java.nio.charset.StandardCharsets.UTF_8));
                            }
                        }
                    }
                    default -> {
                        if (output != null) {
                            try {
                                output.write(frame.payload());
                            } catch (java.io.IOException gone) {
                                throw new java.io.UncheckedIOException("the receiver of the output went away", gone);
                            }
                        }
                    }
                }
            }
        } catch (AgentProtocolException malformed) {
            throw new ProviderFailureException("the agent of sandbox " + sandboxId + " answered out of protocol");
        } finally {
            watchdog.interrupt();
            if (feeder != null) {
                feeder.interrupt();
            }
        }
    }

    /**
     * Refuses the result of an engine exec that never ran: when the container stopped between the
     * exec's create and its start, the engine writes its refusal ("cannot exec in a stopped state")
     * into the output and records {@value #ENGINE_EXEC_FAILED} (or nothing), which must not pass
     * for the command's own answer.
     *
     * @throws RuntimeNotRunningException when so, and the container is not running now
     * @throws RuntimeNotFoundException when the container is gone
     */
    private void requireRanInRunningContainer(String sandboxId, Long exitCode) {
        if (exitCode != null && exitCode != ENGINE_EXEC_FAILED) {
            return;
        }
        boolean running;
        try {
            running = Boolean.TRUE.equals(docker.inspectContainerCmd(claims.ref(sandboxId)).exec().getState().getRunning());
        } catch (NotFoundException gone) {
            throw new RuntimeNotFoundException(sandboxId);
        }
        if (!running) {
            throw new RuntimeNotRunningException(sandboxId);
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
}
