package dev.stacyvm.worker.provider.docker;

import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.ExecOutputSink;
import dev.stacyvm.worker.provider.InteractiveExec;
import dev.stacyvm.worker.provider.TerminalSize;
import dev.stacyvm.worker.provider.agent.AgentFrame;
import dev.stacyvm.worker.provider.agent.AgentProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An interactive exec through the sandbox's agent (docs/agent-protocol.md): the agent's
 * {@code exec} runs the command (on a terminal the serving agent opened, with {@code --pty}); stdin,
 * resizes and output are frames on one connection; signals and the final kill go to the agent by the
 * exec's id, as with {@link DockerInteractiveExec}.
 */
final class AgentInteractiveExec implements InteractiveExec {

    private static final int TIMEOUT_EXIT = 124;
    private static final int KILLED_EXIT = 137;

    private final DockerExecs execs;
    private final String sandboxId;
    private final String execId;
    private final boolean pty;
    private final AgentProcess process;
    private final Duration timeout;
    private final long started = System.nanoTime();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Thread watchdog;

    AgentInteractiveExec(DockerExecs execs, String sandboxId, String execId, boolean pty, AgentProcess process,
                         Duration timeout) {
        this.execs = execs;
        this.sandboxId = sandboxId;
        this.execId = execId;
        this.pty = pty;
        this.process = process;
        this.timeout = timeout;
    }

    /** Closes the exec once {@code after} has passed, in case the agent's own timeout did not end it. */
    void closeAfter(Duration after) {
        watchdog = Thread.ofVirtual().name("exec-deadline-" + execId).start(() -> {
            try {
                Thread.sleep(after.toMillis());
                close();
            } catch (InterruptedException finished) {
                // ended in time
            }
        });
    }

    @Override
    public ExecOutcome relay(OutputReceiver receiver) {
        Integer exit = null;
        boolean abandoned = false;
        try {
            for (AgentFrame frame = process.next(); ; frame = process.next()) {
                if (frame.type() == AgentFrame.EXIT) {
                    exit = AgentProcess.exitCode(frame);
                    break;
                }
                if (frame.payload().length > 0) {
                    receiver.accept(frame.type() == AgentFrame.STDERR ? ExecOutputSink.STDERR : ExecOutputSink.STDOUT,
                            frame.payload());
                }
            }
        } catch (IOException receiverOrConnectionGone) {
            // the receiver failed, or the connection was closed under the read (close(), the agent died)
            abandoned = !closed.get();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        Thread deadline = watchdog;
        if (deadline != null) {
            deadline.interrupt();
        }
        if (exit == null || abandoned || closed.get()) {
            close();
            return new ExecOutcome(KILLED_EXIT, took, false, true);
        }
        process.close();
        boolean timedOut = (exit == TIMEOUT_EXIT || exit == KILLED_EXIT) && took.compareTo(timeout) >= 0;
        return new ExecOutcome(exit, took, timedOut, false);
    }

    @Override
    public void write(byte[] input) throws IOException {
        process.stdin(input, 0, input.length);
    }

    @Override
    public void endInput() {
        try {
            if (pty) {
                // a terminal's end of input is typed, ^D (see DockerInteractiveExec)
                process.stdin(new byte[] {4}, 0, 1);
            } else {
                process.closeStdin();
            }
        } catch (IOException gone) {
            // the command already ended
        }
    }

    @Override
    public void resize(TerminalSize size) {
        if (pty) {
            try {
                process.resize(size.cols(), size.rows());
            } catch (IOException gone) {
                // the command already ended
            }
        }
    }

    @Override
    public boolean signal(String signal) {
        return execs.signalExec(sandboxId, execId, signal);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            process.close();
            // closing has the agent terminate it; the kill waits until all it started is gone
            execs.kill(sandboxId, execId);
        }
    }
}
