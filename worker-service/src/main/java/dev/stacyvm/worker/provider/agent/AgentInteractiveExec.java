package dev.stacyvm.worker.provider.agent;

import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.ExecOutputSink;
import dev.stacyvm.worker.provider.TerminalSize;
import java.io.IOException;
import java.time.Duration;

/**
 * An interactive exec through the sandbox's agent (docs/agent-protocol.md): the agent's
 * {@code exec} runs the command (on a terminal the serving agent opened, with {@code --pty}); stdin,
 * resizes and output are frames on one connection; signals and the final kill go to the agent by the
 * exec's id ({@link InteractiveExecBase}).
 */
public final class AgentInteractiveExec extends InteractiveExecBase {

    private final AgentProcess process;

    public AgentInteractiveExec(ExecControl control, String sandboxId, String execId, boolean pty, AgentProcess process,
                                Duration timeout) {
        super(control, sandboxId, execId, pty, timeout);
        this.process = process;
    }

    @Override
    public ExecOutcome relay(OutputReceiver receiver) {
        Integer exit = null;
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
        }
        return ended(exit);
    }

    @Override
    public void write(byte[] input) throws IOException {
        process.stdin(input, 0, input.length);
    }

    @Override
    public void endInput() {
        try {
            if (pty) {
                // a terminal's end of input is typed, ^D: closing it would hang the command up
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
    protected void closeConnection() {
        process.close();
    }
}
