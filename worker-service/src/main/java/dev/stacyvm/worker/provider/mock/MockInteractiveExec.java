package dev.stacyvm.worker.provider.mock;

import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.provider.ExecCommand;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.InteractiveExec;
import dev.stacyvm.worker.provider.TerminalSize;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A mock sandbox's interactive command: {@link MockShell} with its stdin open. A bare {@code sh} or
 * {@code bash} is a prompt that reads a line at a time (echoed on a terminal, {@code ^C} dropping
 * the line, {@code ^D} on an empty line or {@code exit} ending it); any other command runs once
 * with what is written as its stdin ({@code cat} copies it; on a terminal it is echoed as typed, and
 * {@code ^D} at the start of a line ends it).
 *
 * <p>Bounded as a pipe and a terminal are: {@link #write} blocks while 64 KiB wait unread, a prompt's line holds at most {@link #MAX_LINE} bytes (the rest is dropped, as a
 * terminal's canonical line is), and the command ends at its timeout, {@link #close()}, a signal
 * that ends a process, or its sandbox's destroy.
 */
final class MockInteractiveExec implements InteractiveExec {

    /** Pieces of input that may wait unread before a write blocks: with {@link #INPUT_PIECE}, 64 KiB, a pipe's buffer. */
    static final int INPUT_CHUNKS = 16;
    /** The most bytes one queued piece holds: a larger write is queued piece by piece. */
    static final int INPUT_PIECE = 4096;
    /** The longest line a prompt holds (Linux's MAX_CANON). */
    static final int MAX_LINE = 4096;

    private static final byte[] END = new byte[0];
    /** The signals the agent knows (agent/proc.go), by name. */
    private static final Map<String, Integer> SIGNALS = Map.of("HUP", 1, "INT", 2, "QUIT", 3, "KILL", 9, "USR1", 10,
            "USR2", 12, "TERM", 15, "CONT", 18, "STOP", 19);

    private final MemoryFiles files;
    private final ExecCommand command;
    private final Map<String, String> env;
    private final String workdir;
    private final boolean terminal;
    private final BooleanSupplier sandboxGone;
    private final long deadline;
    private final ArrayBlockingQueue<byte[]> input = new ArrayBlockingQueue<>(INPUT_CHUNKS);
    private volatile TerminalSize size;
    /** Where a terminal echoes what is typed; set once relay starts. */
    private volatile MockShell.Output echo;
    private volatile int endedBySignal;
    private volatile boolean closed;
    private volatile boolean running = true;

    MockInteractiveExec(MemoryFiles files, ExecCommand command, Map<String, String> env, String workdir,
                        TerminalSize size, BooleanSupplier sandboxGone) {
        this.files = files;
        this.command = command;
        this.env = env;
        this.workdir = workdir;
        this.terminal = size != null;
        this.size = size;
        this.sandboxGone = sandboxGone;
        this.deadline = MockShell.deadline(command.timeout());
    }

    private boolean stopped() {
        return closed || endedBySignal != 0 || sandboxGone.getAsBoolean();
    }

    @Override
    public ExecOutcome relay(OutputReceiver receiver) {
        long started = System.nanoTime();
        MockShell shell = new MockShell(files, env, workdir, deadline, this::stopped, terminal ? () -> size : null);
        MockShell.Output out = terminal
                ? (stream, bytes) -> receiver.accept("stdout", toTerminal(bytes))
                : receiver::accept;
        echo = terminal ? out : null;
        int status;
        boolean timedOut = false;
        boolean abandoned = false;
        try {
            boolean prompt = command.argv().size() == 1 && MockShell.isShell(command.argv().get(0));
            status = prompt ? prompt(shell, out) : shell.run(command.argv(), new QueueInput(), out);
        } catch (MockShell.TimedOut | DeadlinePassed late) {
            status = MockShell.KILLED;
            timedOut = true;
        } catch (MockShell.Ended | InputStopped stopped) {
            status = MockShell.KILLED;
        } catch (IOException receiverGone) {
            status = MockShell.KILLED;
            abandoned = true;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            status = MockShell.KILLED;
        } catch (RuntimeException bug) {
            // a fault of the mock's own: the command still ends, with an outcome its caller records
            io.quarkus.logging.Log.warnf(bug, "a mock command failed: %s", command.argv());
            status = MockShell.KILLED;
        } finally {
            running = false;
            input.clear(); // a writer blocked on a full queue sees the end
        }
        if (endedBySignal != 0) {
            status = 128 + endedBySignal;
        } else if (closed || sandboxGone.getAsBoolean()) {
            status = MockShell.KILLED;
        } else if (System.nanoTime() - deadline >= 0) {
            status = MockShell.KILLED;
            timedOut = true;
        }
        return new ExecOutcome(status, Duration.ofNanos(System.nanoTime() - started), timedOut, abandoned);
    }

    /**
     * The prompt: a line at a time until exit, ^D on an empty line, the end of input or a stop. On a
     * terminal what is typed is echoed (a chunk's echo in one write), ^C drops the line and
     * backspace erases; without one every byte but a newline is part of the line.
     */
    private int prompt(MockShell shell, MockShell.Output out) throws IOException, MockShell.Ended, InterruptedException {
        int status = 0;
        byte[] line = new byte[MAX_LINE];
        int length = 0;
        out.write("stdout", "$ ".getBytes(StandardCharsets.UTF_8));
        java.io.ByteArrayOutputStream shown = new java.io.ByteArrayOutputStream();
        while (true) {
            byte[] chunk = next();
            if (chunk == END) {
                return status;
            }
            shown.reset();
            for (byte b : chunk) {
                if (stopped() || System.nanoTime() - deadline >= 0) {
                    return status; // relay reports the stop or the deadline
                }
                if (terminal && b == 3) { // ^C: the line is dropped
                    length = 0;
                    shown.writeBytes("^C\n$ ".getBytes(StandardCharsets.UTF_8));
                } else if (terminal && b == 4 && length == 0) { // ^D on an empty line: the end
                    flush(out, shown);
                    return status;
                } else if (b == '\r' || b == '\n') {
                    if (terminal) {
                        shown.write('\n');
                    }
                    flush(out, shown);
                    String text = new String(line, 0, length, StandardCharsets.UTF_8);
                    length = 0;
                    status = shell.runLine(text, null, out);
                    if (text.strip().equals("exit") || text.strip().startsWith("exit ")) {
                        return status;
                    }
                    shown.writeBytes("$ ".getBytes(StandardCharsets.UTF_8));
                } else if (terminal && (b == 127 || b == 8)) { // backspace
                    if (length > 0) {
                        length--;
                        shown.writeBytes("\b \b".getBytes(StandardCharsets.UTF_8));
                    }
                } else if (length < MAX_LINE) {
                    line[length++] = b;
                    if (terminal) {
                        shown.write(b);
                    }
                }
            }
            flush(out, shown);
        }
    }

    private static void flush(MockShell.Output out, java.io.ByteArrayOutputStream shown) throws IOException {
        if (shown.size() > 0) {
            out.write("stdout", shown.toByteArray());
            shown.reset();
        }
    }

    /**
     * The next chunk of input, {@link #END} at its end; {@link MockShell.Stopped} once the command is
     * stopped, {@link MockShell.TimedOut} past the deadline.
     */
    private byte[] next() throws MockShell.Ended, InterruptedException {
        while (true) {
            if (stopped()) {
                throw new MockShell.Stopped();
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new MockShell.TimedOut();
            }
            byte[] chunk = input.poll(100, TimeUnit.MILLISECONDS);
            if (chunk != null) {
                return chunk;
            }
        }
    }

    /** A terminal's output discipline: each newline goes out as CR LF. */
    private static byte[] toTerminal(byte[] bytes) {
        java.io.ByteArrayOutputStream converted = new java.io.ByteArrayOutputStream(bytes.length + 16);
        for (byte b : bytes) {
            if (b == '\n') {
                converted.write('\r');
            }
            converted.write(b);
        }
        return converted.toByteArray();
    }

    /** Queues the input; blocks, as a full pipe does, while {@link #INPUT_CHUNKS} chunks wait unread. */
    @Override
    public void write(byte[] bytes) throws IOException {
        for (int at = 0; at < bytes.length; at += INPUT_PIECE) {
            enqueue(Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + INPUT_PIECE)));
        }
    }

    private void enqueue(byte[] chunk) throws IOException {
        if (!running) {
            throw new IOException("the command has ended");
        }
        try {
            // accepted once queued: a command that ends before it reads it drops it, as a pipe's reader would
            while (!input.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                if (!running || stopped()) {
                    throw new IOException("the command has ended");
                }
            }
            if (!running && input.remove(chunk)) {
                throw new IOException("the command has ended"); // queued after its end: nobody will read it
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the command's input was full");
        }
    }

    @Override
    public void endInput() {
        try {
            enqueue(terminal ? new byte[] {4} : END);
        } catch (IOException ended) {
            // nothing is reading any more: there is no input left to end
        }
    }

    @Override
    public void resize(TerminalSize size) {
        if (terminal) {
            this.size = size;
        }
    }

    /**
     * Sends a signal as the agent would: a name with or without {@code SIG}, in any case, or its
     * number. {@code INT} on a terminal is a typed ^C; {@code STOP} and {@code CONT} change nothing
     * (nothing runs); the others end the command with 128 + the signal's number.
     *
     * @throws InvalidRequestException for a signal the agent does not know
     */
    @Override
    public boolean signal(String signal) {
        Integer number = parseSignal(signal);
        if (number == null) {
            throw new InvalidRequestException("unknown signal " + signal);
        }
        if (!running) {
            return false;
        }
        if (number == 2 && terminal) {
            input.offer(new byte[] {3});
        } else if (number != 18 && number != 19) {
            endedBySignal = number;
        }
        return true;
    }

    /** A signal's number from its name (with or without SIG, any case) or number, as agent/proc.go reads it. */
    static Integer parseSignal(String text) {
        if (text == null) {
            return null;
        }
        String name = text.toUpperCase(Locale.ROOT);
        Integer number = SIGNALS.get(name.startsWith("SIG") ? name.substring(3) : name);
        if (number != null) {
            return number;
        }
        try {
            int asked = Integer.parseInt(text);
            return SIGNALS.containsValue(asked) ? asked : null;
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    /** The command was stopped while it waited for input: it ends there, killed, and writes nothing more. */
    private static final class InputStopped extends IOException {
        InputStopped() {
            super("the command was stopped", null);
        }
    }

    /** The deadline passed while the command waited for input: relay reports it as timed out. */
    private static final class DeadlinePassed extends IOException {
        DeadlinePassed() {
            super("the command's timeout passed", null);
        }
    }

    /**
     * The command's stdin as a stream: blocks for input; ends at its end, and on a terminal at a ^D
     * typed at the start of a line; a stop or the deadline ends the command itself.
     */
    private final class QueueInput extends InputStream {
        private byte[] chunk = new byte[0];
        private int at;
        private boolean ended;
        private boolean lineStart = true;
        /** A ^D came after the bytes now being read: the input ends once they are. */
        private boolean endPending;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            while (!ended && at >= chunk.length) {
                if (endPending) {
                    ended = true;
                    break;
                }
                try {
                    chunk = next();
                } catch (MockShell.TimedOut late) {
                    throw new DeadlinePassed();
                } catch (MockShell.Ended stopped) {
                    throw new InputStopped();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    chunk = END;
                }
                at = 0;
                ended = chunk == END;
                if (!ended && terminal) {
                    chunk = typed(chunk);
                }
            }
            if (ended) {
                return -1;
            }
            int count = Math.min(length, chunk.length - at);
            System.arraycopy(chunk, at, buffer, offset, count);
            at += count;
            return count;
        }

        /** A terminal's input: echoed, a carriage return read as a newline, a ^D at a line's start its end. */
        private byte[] typed(byte[] raw) throws IOException {
            byte[] kept = new byte[raw.length];
            int count = 0;
            for (byte b : raw) {
                if (b == 4 && lineStart) {
                    endPending = true;
                    break;
                }
                byte c = b == '\r' ? (byte) '\n' : b;
                kept[count++] = c;
                lineStart = c == '\n';
            }
            byte[] delivered = Arrays.copyOf(kept, count);
            MockShell.Output typedEcho = echo;
            if (typedEcho != null && count > 0) {
                typedEcho.write("stdout", delivered);
            }
            return delivered;
        }
    }
}
