package dev.stacyvm.worker.provider.agent;

import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.error.ProviderFailureException;
import dev.stacyvm.worker.provider.CommandResult;
import dev.stacyvm.worker.provider.ExecCommand;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.ExecOutputSink;
import dev.stacyvm.worker.provider.InteractiveExec;
import dev.stacyvm.worker.provider.TerminalSize;
import dev.stacyvm.worker.provider.docker.Utf8Decoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A sandbox's commands run wholly through its serving agent (docs/agent-protocol.md), for a
 * provider whose every sandbox has one and nothing else to fall back on (PRoot's): the agent's
 * {@code exec} runs a user's command as the sandbox's user, kills all it started at its timeout or
 * when cancelled by the exec's id, and opens a terminal when asked; helper commands run directly.
 */
public final class AgentCommands implements ExecControl {

    /** How a provider reaches a sandbox's agent. */
    @FunctionalInterface
    public interface Connector {
        /**
         * Starts {@code spawn} through the sandbox's agent.
         *
         * @throws dev.stacyvm.worker.error.SandboxOperationException when the sandbox is missing or not running
         * @throws AgentUnavailableException when its agent does not answer
         */
        AgentProcess spawn(String sandboxId, AgentSpawn spawn) throws AgentUnavailableException;
    }

    private static final int TIMEOUT_EXIT = InteractiveExecBase.TIMEOUT_EXIT;
    private static final int KILLED_EXIT = InteractiveExecBase.KILLED_EXIT;
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration AGENT_CALL = Duration.ofSeconds(10);
    private static final int STDERR_KEPT = 8192;

    private final Connector connector;
    private final String agentPath;
    private final Duration grace;

    /**
     * @param agentPath where the agent is inside the sandbox
     * @param grace     how long past a command's timeout its agent has to end it before the worker does
     */
    public AgentCommands(Connector connector, String agentPath, Duration grace) {
        this.connector = connector;
        this.agentPath = agentPath;
        this.grace = grace;
    }

    /** A user's command, its output streamed to {@code sink}: see {@link dev.stacyvm.worker.provider.SandboxProvider#exec}. */
    public ExecOutcome exec(String sandboxId, ExecCommand command, List<String> env, ExecOutputSink sink) {
        String execId = UUID.randomUUID().toString();
        long started = System.nanoTime();
        AgentProcess process = spawn(sandboxId, new AgentSpawn(argv(command, execId, false), env, null, 0, 0, false));
        Utf8Decoder stdout = new Utf8Decoder();
        Utf8Decoder stderr = new Utf8Decoder();
        java.util.concurrent.BlockingQueue<Object> frames = new java.util.concurrent.LinkedBlockingQueue<>(64);
        Thread reader = Thread.ofVirtual().name("agent-exec-" + execId).start(() -> read(process, frames));
        long deadline = started + command.timeout().plusSeconds(2).plus(grace).toNanos();
        try (process) {
            while (System.nanoTime() < deadline) {
                Object next = frames.poll(POLL.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                try {
                    if (next == null) {
                        sink.idle();
                    } else if (next instanceof AgentFrame frame) {
                        if (frame.type() == AgentFrame.EXIT) {
                            forward(sink, ExecOutputSink.STDOUT, stdout.finish());
                            forward(sink, ExecOutputSink.STDERR, stderr.finish());
                            int exit = AgentProcess.exitCode(frame);
                            Duration took = Duration.ofNanos(System.nanoTime() - started);
                            boolean timedOut = (exit == TIMEOUT_EXIT || exit == KILLED_EXIT) && took.compareTo(command.timeout()) >= 0;
                            return new ExecOutcome(exit, took, timedOut, false);
                        }
                        boolean err = frame.type() == AgentFrame.STDERR;
                        forward(sink, err ? ExecOutputSink.STDERR : ExecOutputSink.STDOUT, (err ? stderr : stdout).decode(frame.payload()));
                    } else {
                        throw new ProviderFailureException("the agent of sandbox " + sandboxId + " went away during a command");
                    }
                } catch (AgentProtocolException malformed) {
                    kill(sandboxId, execId);
                    throw new ProviderFailureException("the agent of sandbox " + sandboxId + " answered out of protocol");
                } catch (IOException receiverGone) {
                    kill(sandboxId, execId);
                    return new ExecOutcome(KILLED_EXIT, Duration.ofNanos(System.nanoTime() - started), false, true);
                }
            }
            kill(sandboxId, execId);
            return new ExecOutcome(KILLED_EXIT, Duration.ofNanos(System.nanoTime() - started), true, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(sandboxId, execId);
            return new ExecOutcome(KILLED_EXIT, Duration.ofNanos(System.nanoTime() - started), false, true);
        } finally {
            reader.interrupt();
        }
    }

    /** Puts each frame of {@code process} on {@code frames}, then an {@link IOException} when the connection ends early. */
    private static void read(AgentProcess process, java.util.concurrent.BlockingQueue<Object> frames) {
        try {
            for (AgentFrame frame = process.next(); ; frame = process.next()) {
                frames.put(frame);
                if (frame.type() == AgentFrame.EXIT) {
                    return;
                }
            }
        } catch (IOException ended) {
            frames.offer(ended);
        } catch (InterruptedException finished) {
            Thread.currentThread().interrupt();
        }
    }

    private static void forward(ExecOutputSink sink, String stream, String text) throws IOException {
        if (!text.isEmpty()) {
            sink.accept(stream, text);
        }
    }

    /** A helper command with stdin and stdout streamed: see {@link dev.stacyvm.worker.provider.SandboxProvider#run}. */
    public CommandResult run(String sandboxId, List<String> argv, InputStream input, OutputStream output, Duration timeout) {
        AgentProcess process = spawn(sandboxId, new AgentSpawn(argv, List.of(), null, 0, 0, input != null));
        Thread feeder = input == null ? null : Thread.ofVirtual().name("agent-stdin-" + process.pid()).start(() -> {
            byte[] buffer = new byte[256 * 1024];
            try {
                for (int n; (n = input.read(buffer)) >= 0; ) {
                    process.stdin(buffer, 0, n);
                }
            } catch (IOException ended) {
                // the input or the connection ended: the command sees the end of its input
            }
            try {
                process.closeStdin();
            } catch (IOException gone) {
                // the connection is gone: the command was ended
            }
        });
        AtomicBoolean late = new AtomicBoolean();
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(timeout.toMillis());
                late.set(true);
                process.close();
            } catch (InterruptedException done) {
                // finished in time
            }
        });
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try (process) {
            for (AgentFrame frame = process.next(); ; frame = process.next()) {
                switch (frame.type()) {
                    case AgentFrame.EXIT -> {
                        return new CommandResult(AgentProcess.exitCode(frame), stderr.toString(StandardCharsets.UTF_8).strip());
                    }
                    case AgentFrame.STDERR -> {
                        if (stderr.size() < STDERR_KEPT) {
                            stderr.writeBytes(frame.payload());
                        }
                    }
                    default -> {
                        if (output != null) {
                            try {
                                output.write(frame.payload());
                            } catch (IOException gone) {
                                throw new java.io.UncheckedIOException("the receiver of the output went away", gone);
                            }
                        }
                    }
                }
            }
        } catch (AgentProtocolException malformed) {
            throw new ProviderFailureException("the agent of sandbox " + sandboxId + " answered out of protocol");
        } catch (IOException ended) {
            throw new ProviderFailureException(late.get() ? "a command in sandbox " + sandboxId + " did not finish in time"
                    : "the agent of sandbox " + sandboxId + " went away during a command");
        } finally {
            watchdog.interrupt();
            if (feeder != null) {
                feeder.interrupt();
            }
        }
    }

    /** A command with its stdin open, on a terminal or not: see {@link dev.stacyvm.worker.provider.SandboxProvider#openInteractive}. */
    public InteractiveExec openInteractive(String sandboxId, ExecCommand command, List<String> env, TerminalSize terminal) {
        String execId = UUID.randomUUID().toString();
        boolean pty = terminal != null;
        AgentProcess process = spawn(sandboxId, new AgentSpawn(argv(command, execId, pty), env, null,
                pty ? terminal.cols() : 0, pty ? terminal.rows() : 0, true));
        AgentInteractiveExec started = new AgentInteractiveExec(this, sandboxId, execId, pty, process, command.timeout());
        started.closeAfter(command.timeout().plusSeconds(2).plus(grace));
        return started;
    }

    /** Kills an exec and all it started, by its id, through a second call to the agent; it answers once they are gone. */
    @Override
    public void kill(String sandboxId, String execId) {
        try {
            run(sandboxId, List.of(agentPath, "kill", "--id", execId), null, OutputStream.nullOutputStream(), AGENT_CALL);
        } catch (RuntimeException e) {
            io.quarkus.logging.Log.warnf("could not kill an abandoned exec in %s: %s", sandboxId, e.toString());
        }
    }

    /** Signals an exec's foreground job (or the command); whether anything was there to signal. */
    @Override
    public boolean signal(String sandboxId, String execId, String signal) {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        CommandResult result = run(sandboxId, List.of(agentPath, "kill", "--id", execId, "--signal", signal), null, answer,
                AGENT_CALL);
        if (result.exitCode() == 2) {
            throw new InvalidRequestException("unknown signal " + signal);
        }
        return !answer.toString(StandardCharsets.UTF_8).contains("\"signalled\":0");
    }

    private AgentProcess spawn(String sandboxId, AgentSpawn spawn) {
        try {
            return connector.spawn(sandboxId, spawn);
        } catch (AgentUnavailableException unavailable) {
            io.quarkus.logging.Log.warnf("the agent of %s does not answer: %s", sandboxId, unavailable.getMessage());
            throw new ProviderFailureException("the agent of sandbox " + sandboxId + " does not answer");
        }
    }

    private List<String> argv(ExecCommand command, String execId, boolean pty) {
        return execArgv(agentPath, command, execId, pty);
    }

    /**
     * The agent's argv for a user's command (the agent's {@code exec}): it enters the workdir, so a
     * bad one is its one marked line, and runs the command under its timeout, in seconds with
     * fractions, with {@code --pty} on a terminal.
     */
    public static List<String> execArgv(String agentPath, ExecCommand command, String execId, boolean pty) {
        List<String> argv = new ArrayList<>(List.of(agentPath, "exec", "--timeout",
                new java.math.BigDecimal(command.timeout().toNanos()).movePointLeft(9).stripTrailingZeros().toPlainString(),
                "--id", execId));
        if (command.workdir() != null) {
            argv.addAll(List.of("--workdir", command.workdir()));
        }
        if (pty) {
            argv.add("--pty");
        }
        argv.add("--");
        argv.addAll(command.argv());
        return argv;
    }
}
