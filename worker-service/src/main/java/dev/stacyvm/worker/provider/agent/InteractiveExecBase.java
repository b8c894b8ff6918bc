package dev.stacyvm.worker.provider.agent;

import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.InteractiveExec;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What an interactive exec does whichever way it reaches the sandbox (Docker's
 * {@code DockerInteractiveExec} on the engine's exec, {@link AgentInteractiveExec} on the agent's socket): the deadline that
 * closes it in case the agent's own timeout did not end it, signals and the final kill through the
 * agent by the exec's id, and the outcome's status.
 */
public abstract class InteractiveExecBase implements InteractiveExec {

    /** The status the agent's {@code exec} answers when the timeout ended the command. */
    public static final int TIMEOUT_EXIT = 124;
    /** The status of an exec killed because it was closed or abandoned. */
    public static final int KILLED_EXIT = 137;

    private final ExecControl control;
    private final String sandboxId;
    private final String execId;
    protected final boolean pty;
    private final Duration timeout;
    private final long started = System.nanoTime();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Thread watchdog;

    protected InteractiveExecBase(ExecControl control, String sandboxId, String execId, boolean pty, Duration timeout) {
        this.control = control;
        this.sandboxId = sandboxId;
        this.execId = execId;
        this.pty = pty;
        this.timeout = timeout;
    }

    /**
     * Closes the exec once {@code after} has passed, in case the agent's own timeout did not end it
     * (the command may stop or kill its agent, which runs as the same user).
     */
    public void closeAfter(Duration after) {
        watchdog = Thread.ofVirtual().name("exec-deadline-" + execId).start(() -> {
            try {
                Thread.sleep(after.toMillis());
                close();
            } catch (InterruptedException finished) {
                // ended in time
            }
        });
    }

    /** Whether {@link #close()} has been called. */
    protected final boolean closed() {
        return closed.get();
    }

    /**
     * How the exec ended, once its output has: {@code exit} the agent's status, or null when it was
     * abandoned or closed (then it is killed, with all it started, and reported as killed).
     */
    protected final ExecOutcome ended(Integer exit) {
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        Thread deadline = watchdog;
        if (deadline != null) {
            deadline.interrupt();
        }
        if (exit == null || closed.get()) {
            close();
            return new ExecOutcome(KILLED_EXIT, took, false, true);
        }
        closeConnection();
        boolean timedOut = (exit == TIMEOUT_EXIT || exit == KILLED_EXIT) && took.compareTo(timeout) >= 0;
        return new ExecOutcome(exit, took, timedOut, false);
    }

    /** Ends the exec's connection (the agent's socket, or the engine's hijacked one). */
    protected abstract void closeConnection();

    @Override
    public boolean signal(String signal) {
        return control.signal(sandboxId, execId, signal);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeConnection();
            // the connection's end may leave the agent running (the engine's), or be noticed late:
            // the kill waits until all it started is gone
            control.kill(sandboxId, execId);
        }
    }
}
