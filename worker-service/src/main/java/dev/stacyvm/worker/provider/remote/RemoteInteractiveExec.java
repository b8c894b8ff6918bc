package dev.stacyvm.worker.provider.remote;

import dev.stacyvm.contract.remote.RemoteRuntimeProtocol;
import dev.stacyvm.contract.remote.RemoteRuntimeProtocol.Control;
import dev.stacyvm.contract.remote.RemoteRuntimeProtocol.SessionEnd;
import dev.stacyvm.worker.error.ProviderFailureException;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.ExecOutputSink;
import dev.stacyvm.worker.provider.InteractiveExec;
import dev.stacyvm.worker.provider.TerminalSize;
import java.io.IOException;
import java.time.Duration;

/**
 * A command with its stdin open on a remote runtime: one {@link RemoteSession} of kind
 * {@code interactive}. Input, end of input, resizes and signals go as the session's messages;
 * closing the session is what kills the command.
 */
final class RemoteInteractiveExec implements InteractiveExec {

    private static final Duration POLL = Duration.ofMillis(500);

    private final RemoteSession session;
    private final String sandboxId;
    private final Duration deadline;
    private volatile boolean ended;

    /**
     * @param deadline how long {@link #relay} waits for the command's end at most: its timeout and
     *                 a grace the runtime has to say so
     */
    RemoteInteractiveExec(RemoteSession session, String sandboxId, Duration deadline) {
        this.session = session;
        this.sandboxId = sandboxId;
        this.deadline = deadline;
    }

    @Override
    public ExecOutcome relay(OutputReceiver receiver) {
        long started = System.nanoTime();
        long until = started + deadline.toNanos();
        try {
            while (System.nanoTime() < until) {
                RemoteSession.Event event = session.next(POLL);
                switch (event) {
                    case null -> { }
                    case RemoteSession.Output output -> {
                        try {
                            receiver.accept(output.stream() == RemoteRuntimeProtocol.STDERR ? ExecOutputSink.STDERR
                                    : ExecOutputSink.STDOUT, output.data());
                        } catch (IOException receiverGone) {
                            close();
                            return new ExecOutcome(-1, Duration.ofNanos(System.nanoTime() - started), false, true);
                        }
                    }
                    case RemoteSession.Ended end -> {
                        ended = true;
                        return outcome(end.end(), sandboxId);
                    }
                    case RemoteSession.Lost lost -> {
                        ended = true;
                        throw new ProviderFailureException(lost.why());
                    }
                }
            }
            close();
            throw new ProviderFailureException("the remote runtime did not end a command past its timeout");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            return new ExecOutcome(-1, Duration.ofNanos(System.nanoTime() - started), false, true);
        } finally {
            session.close();
        }
    }

    /** How a session's end reads as an exec's outcome; its error as the worker's failure. */
    static ExecOutcome outcome(SessionEnd end, String sandboxId) {
        if (end.error() != null) {
            throw RemoteErrors.toException(end.error(), sandboxId, null);
        }
        return new ExecOutcome(end.exitCode() == null ? -1 : end.exitCode(), Duration.ofMillis(end.tookMillis()), end.timedOut(),
                end.abandoned());
    }

    @Override
    public void write(byte[] input) throws IOException {
        session.send(input, 0, input.length);
    }

    @Override
    public void endInput() {
        sendQuietly(new Control(Control.EOF, null, null, null));
    }

    @Override
    public void resize(TerminalSize size) {
        sendQuietly(new Control(Control.RESIZE, size.cols(), size.rows(), null));
    }

    @Override
    public boolean signal(String signal) {
        return !ended && sendQuietly(new Control(Control.SIGNAL, null, null, signal));
    }

    @Override
    public void close() {
        session.close();
    }

    /** A control message for a command that already ended goes nowhere, as on a local terminal. */
    private boolean sendQuietly(Control control) {
        try {
            session.control(control);
            return true;
        } catch (IOException sessionClosed) {
            return false;
        }
    }
}
