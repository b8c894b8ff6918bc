package dev.stacyvm.worker.provider;

import java.io.IOException;

/**
 * A command started with its stdin open, on a terminal (PTY) or not: the worker's end of an exec
 * WebSocket. {@link #relay} is called once, on a thread of its own, and returns when the command's
 * output ends; the other methods may be called meanwhile from another thread.
 * {@link #close()} kills the command with everything it started, whatever state it is in.
 */
public interface InteractiveExec extends AutoCloseable {

    /** Receives output as the command writes it: raw bytes, never split into text. */
    @FunctionalInterface
    interface OutputReceiver {
        /**
         * @param stream {@link ExecOutputSink#STDOUT} or {@link ExecOutputSink#STDERR} (a terminal
         *               has one stream, stdout)
         * @throws IOException when the receiver is gone; the command is then killed
         */
        void accept(String stream, byte[] data) throws IOException;
    }

    /**
     * Passes the output on until the command ends (by itself, its timeout, a signal or
     * {@link #close()}), then answers how it ended; a receiver that fails ends it as abandoned.
     */
    ExecOutcome relay(OutputReceiver receiver);

    /** Writes to the command's stdin; on a terminal, as typed (so {@code \u0003} is ^C). */
    void write(byte[] input) throws IOException;

    /** Ends the command's stdin (end of file); on a terminal, types {@code ^D}, as closing it would hang it up. */
    void endInput();

    /** Sets the terminal's size: the program in its foreground gets {@code SIGWINCH}; nothing without a terminal. */
    void resize(TerminalSize size);

    /**
     * Sends a signal ({@code INT}, {@code TERM}, {@code KILL}, ... as the agent's {@code signal}
     * accepts them) as a terminal would: to its foreground job, or to the command without one.
     *
     * @return whether anything was there to signal
     */
    boolean signal(String signal);

    /** Kills the command and everything it started, if still running; idempotent. */
    @Override
    void close();
}
