package dev.stacyvm.worker.provider.docker;

import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.ExecOutputSink;
import dev.stacyvm.worker.provider.TerminalSize;
import dev.stacyvm.worker.provider.agent.InteractiveExecBase;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;

/**
 * An interactive exec on the Docker engine: the agent runs the command (on the exec's TTY with
 * {@code --pty}), the hijacked connection carries stdin one way and the output the other (raw on
 * a TTY, multiplexed frames without), resizes go to the engine, signals and the final kill to the
 * agent by the exec's id ({@link InteractiveExecBase}).
 */
final class DockerInteractiveExec extends InteractiveExecBase {

    private final DockerExecs execs;
    private final String engineExecId;
    private final HijackedExecStart.Connection connection;

    DockerInteractiveExec(DockerExecs execs, String sandboxId, String execId, String engineExecId, boolean pty,
                          HijackedExecStart.Connection connection, Duration timeout) {
        super(execs, sandboxId, execId, pty, timeout);
        this.execs = execs;
        this.engineExecId = engineExecId;
        this.connection = connection;
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
            return ended(null);
        }
        if (closed()) {
            return ended(null);
        }
        connection.close();
        return ended(execs.exitCode(engineExecId));
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
    protected void closeConnection() {
        connection.close();
    }
}
