package dev.stacyvm.worker.provider;

/**
 * A terminal's size in character cells, as a PTY's window size ({@code TIOCSWINSZ}) holds it.
 *
 * @param cols columns, 1 to {@value #MAX}
 * @param rows rows, 1 to {@value #MAX}
 */
public record TerminalSize(int cols, int rows) {

    /** The largest side accepted: far beyond any screen, small enough for the kernel's 16 bits. */
    public static final int MAX = 1000;
    /** The size a terminal gets when its client names none, a classic 80 by 24. */
    public static final TerminalSize DEFAULT = new TerminalSize(80, 24);

    public TerminalSize {
        if (cols < 1 || cols > MAX || rows < 1 || rows > MAX) {
            throw new IllegalArgumentException("a terminal has 1 to " + MAX + " columns and rows, not " + cols + "x" + rows);
        }
    }
}
