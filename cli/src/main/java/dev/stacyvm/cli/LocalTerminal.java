package dev.stacyvm.cli;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The terminal the CLI runs in, driven through {@code stty} on {@code /dev/tty} (Java has no terminal API of its
 * own): whether stdin is one, its size, and raw mode on and back off again.
 */
final class LocalTerminal {

    private static final File TTY = new File("/dev/tty");
    /** How long one {@code stty} may take; it answers at once unless something is badly wrong. */
    private static final long COMMAND_WAIT_SECONDS = 5;

    /** The settings before raw mode ({@code stty -g}), to put back. */
    private String saved;

    private LocalTerminal() {
    }

    /**
     * The terminal stdin is, or null when it is none (a pipe, a file, a test's stream). Only the process's own stdin
     * can be a terminal.
     */
    static LocalTerminal of(InputStream in) {
        if (in != System.in || !TTY.exists()) {
            return null;
        }
        try {
            Process test = new ProcessBuilder("sh", "-c", "[ -t 0 ]").redirectInput(Redirect.INHERIT)
                    .redirectOutput(Redirect.DISCARD).redirectError(Redirect.DISCARD).start();
            if (!test.waitFor(COMMAND_WAIT_SECONDS, TimeUnit.SECONDS)) {
                test.destroyForcibly();
                return null;
            }
            return test.exitValue() == 0 ? new LocalTerminal() : null;
        } catch (IOException noShell) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Its size now, {@code {cols, rows}}, or null when {@code stty} cannot say (or says 0, as a terminal that never
     * set one does).
     */
    int[] size() {
        String answer = stty("size");
        if (answer == null) {
            return null;
        }
        String[] words = answer.strip().split("\\s+");
        try {
            int rows = Integer.parseInt(words[0]);
            int cols = Integer.parseInt(words[1]);
            return rows > 0 && cols > 0 ? new int[] {Math.min(cols, 1000), Math.min(rows, 1000)} : null;
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException notASize) {
            return null;
        }
    }

    /**
     * Raw mode, without echo: every byte typed (Ctrl-C, Ctrl-Z and Ctrl-D included) goes to the program reading it
     * as it is typed, and the remote terminal echoes and interprets it.
     *
     * @return whether the terminal is in raw mode now
     */
    synchronized boolean raw() {
        saved = stty("-g");
        if (saved == null) {
            return false;
        }
        saved = saved.strip();
        return stty("raw", "-echo") != null;
    }

    /** Puts the settings from before {@link #raw()} back; does nothing when they are back already. */
    synchronized void restore() {
        if (saved != null) {
            stty(saved);
            saved = null;
        }
    }

    /** Runs {@code stty ARGS < /dev/tty}; its output, or null when it failed. */
    private static String stty(String... args) {
        List<String> command = new ArrayList<>(List.of("stty"));
        command.addAll(List.of(args));
        try {
            Process stty = new ProcessBuilder(command).redirectInput(TTY).redirectError(Redirect.DISCARD).start();
            byte[] output = stty.getInputStream().readAllBytes();
            if (!stty.waitFor(COMMAND_WAIT_SECONDS, TimeUnit.SECONDS)) {
                stty.destroyForcibly();
                return null;
            }
            return stty.exitValue() == 0 ? new String(output, StandardCharsets.UTF_8) : null;
        } catch (IOException cannot) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
