package dev.stacyvm.worker.provider.docker;

import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.ExecOutputSink;
import dev.stacyvm.worker.provider.InteractiveExec;
import dev.stacyvm.worker.provider.TerminalSize;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An interactive exec on the Docker engine: the agent runs the command (on the exec's TTY with
 * {@code --pty}), the hijacked connection carries stdin one way and the output the other (raw on
 * a TTY, multiplexed frames without), resizes go to the engine, signals and the final kill to the
 * agent by the exec's id.
 */
final class DockerInteractiveExec implements InteractiveExec {

    private static final int TIMEOUT_EXIT = 124;
    private static final int KILLED_EXIT = 137;

    private final DockerExecs execs;
    private final String sandboxId;
    private final String execId;
    private final String engineExecId;
    private final boolean pty;
    private final HijackedExecStart.Connection connection;
    private final Duration timeout;
    private final long started = System.nanoTime();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean abandoned;
    private volatile Thread watchdog;

    DockerInteractiveExec(DockerExecs execs, String sandboxId, String execId, String engineExecId, boolean pty,
                          HijackedExecStart.Connection connection, Duration timeout) {
        this.execs = execs;
        this.sandboxId = sandboxId;
        this.execId = execId;
        this.engineExecId = engineExecId;
        this.pty = pty;
        this.connection = connection;
        this.timeout = timeout;
    }

    /**
     * Closes the exec once {@code after} has passed, in case the agent's own timeout did not end it
     * (the command may stop or kill its agent, which runs as the same user).
     */
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
        InputStream output = connection.fromCommand();
        try {
            if (pty) {
                byte[] buffer = new byte[32 * 1024];
                for (int n; (n = output.read(buffer)) >= 0; ) {
                    if (n > 0) {
                        receiver.accept(ExecOutputSink.STDOUT, Arrays.copyOf(buffer, n));
                    }
                }
            } else {
                for (HijackedExecStart.Frame frame; (frame = HijackedExecStart.readFrame(output)) != null; ) {
                    receiver.accept(frame.stream() == 2 ? ExecOutputSink.STDERR : ExecOutputSink.STDOUT, frame.payload());
                }
            }
        } catch (IOException receiverOrConnectionGone) {
            // the receiver failed, or the connection was closed under the read (close(), shutdown)
            abandoned = !closed.get();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        Thread deadline = watchdog;
        if (deadline != null) {
            deadline.interrupt();
        }
        if (abandoned || closed.get()) {
            close();
            return new ExecOutcome(KILLED_EXIT, took, false, true);
        }
        connection.close();
        int exit = execs.exitCode(engineExecId);
        boolean timedOut = (exit == TIMEOUT_EXIT || exit == KILLED_EXIT) && took.compareTo(timeout) >= 0;
        return new ExecOutcome(exit, took, timedOut, false);
    }

    @Override
    public void write(byte[] input) throws IOException {
        var to = connection.toCommand();
        synchronized (this) {
            to.write(input);
            to.flush();
        }
    }

    @Override
    public void endInput() {
        if (pty) {
            // a terminal has no end of input: closing its write side would hang it up, ending the
            // session at once; the end of input on a terminal is typed, ^D
            try {
                write(new byte[] {4});
            } catch (IOException gone) {
                // the command already ended
            }
            return;
        }
        connection.endInput();
    }

    @Override
    public void resize(TerminalSize size) {
        if (pty) {
            execs.resizeExec(engineExecId, size);
        }
    }

    @Override
    public boolean signal(String signal) {
        return execs.signalExec(sandboxId, execId, signal);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            connection.close();
            // the engine's end of a closed connection leaves the agent running: it kills the tree
            execs.kill(sandboxId, execId);
        }
    }
}
