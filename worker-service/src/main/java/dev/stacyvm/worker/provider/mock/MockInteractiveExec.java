package dev.stacyvm.worker.provider.mock;

import dev.stacyvm.worker.provider.ExecCommand;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.InteractiveExec;
import dev.stacyvm.worker.provider.TerminalSize;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A mock sandbox's interactive command: {@link MockShell} with its stdin open. A bare {@code sh} or
 * {@code bash} is a prompt that reads a line at a time (echoed on a terminal, {@code ^C} dropping
 * the line, {@code ^D} on an empty line or {@code exit} ending it); any other command runs once
 * with what is written as its stdin ({@code cat} copies it; on a terminal it is echoed as typed).
 */
final class MockInteractiveExec implements InteractiveExec {

    private static final byte[] END = new byte[0];
    private static final Map<String, Integer> SIGNALS = Map.of("HUP", 1, "INT", 2, "QUIT", 3, "KILL", 9, "TERM", 15);

    private final MemoryFiles files;
    private final ExecCommand command;
    private final Map<String, String> env;
    private final String workdir;
    private final boolean terminal;
    private volatile TerminalSize size;
    private final long deadline;
    /** Where a terminal echoes what is typed; set once relay starts. */
    private volatile MockShell.Output echo;
    private final LinkedBlockingQueue<byte[]> input = new LinkedBlockingQueue<>();
    private volatile int endedBySignal;
    private volatile boolean closed;
    private volatile boolean running = true;

    MockInteractiveExec(MemoryFiles files, ExecCommand command, Map<String, String> env, String workdir, TerminalSize size) {
        this.files = files;
        this.command = command;
        this.env = env;
        this.workdir = workdir;
        this.terminal = size != null;
        this.size = size;
        this.deadline = MockShell.deadline(command.timeout());
    }

    @Override
    public ExecOutcome relay(OutputReceiver receiver) {
        long started = System.nanoTime();
        MockShell shell = new MockShell(files, env, workdir, deadline, terminal ? () -> size : null);
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
        } catch (MockShell.TimedOut late) {
            status = MockShell.KILLED;
            timedOut = true;
        } catch (IOException receiverGone) {
            status = MockShell.KILLED;
            abandoned = true;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            status = MockShell.KILLED;
        } finally {
            running = false;
        }
        if (endedBySignal != 0) {
            status = 128 + endedBySignal;
        } else if (closed) {
            status = MockShell.KILLED;
        } else if (System.nanoTime() >= deadline) {
            status = MockShell.KILLED;
            timedOut = true;
        }
        return new ExecOutcome(status, Duration.ofNanos(System.nanoTime() - started), timedOut, abandoned);
    }

    /** The prompt: a line at a time until exit, ^D on an empty line, the end of input or a signal. */
    private int prompt(MockShell shell, MockShell.Output out) throws IOException, MockShell.TimedOut, InterruptedException {
        int status = 0;
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        out.write("stdout", "$ ".getBytes(StandardCharsets.UTF_8));
        while (true) {
            byte[] chunk = next();
            if (chunk == END) {
                return status;
            }
            for (byte b : chunk) {
                if (b == 3) { // ^C: the line is dropped
                    line.reset();
                    out.write("stdout", "^C\n$ ".getBytes(StandardCharsets.UTF_8));
                } else if (b == 4 && line.size() == 0) { // ^D on an empty line: the end
                    return status;
                } else if (b == '\r' || b == '\n') {
                    if (terminal) {
                        out.write("stdout", new byte[] {'\n'});
                    }
                    String text = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    status = shell.runLine(text, null, out);
                    if (text.strip().equals("exit") || text.strip().startsWith("exit ")) {
                        return status;
                    }
                    out.write("stdout", "$ ".getBytes(StandardCharsets.UTF_8));
                } else if (b == 127 || b == 8) { // backspace
                    if (line.size() > 0) {
                        byte[] kept = line.toByteArray();
                        line.reset();
                        line.write(kept, 0, kept.length - 1);
                        if (terminal) {
                            out.write("stdout", "\b \b".getBytes(StandardCharsets.UTF_8));
                        }
                    }
                } else {
                    line.write(b);
                    if (terminal) {
                        out.write("stdout", new byte[] {b});
                    }
                }
            }
        }
    }

    /** The next chunk of input, {@link #END} at its end; {@link MockShell.TimedOut} past the deadline. */
    private byte[] next() throws MockShell.TimedOut, InterruptedException {
        while (true) {
            if (closed || endedBySignal != 0) {
                return END;
            }
            if (System.nanoTime() >= deadline) {
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
        ByteArrayOutputStream converted = new ByteArrayOutputStream(bytes.length + 16);
        for (byte b : bytes) {
            if (b == '\n') {
                converted.write('\r');
            }
            converted.write(b);
        }
        return converted.toByteArray();
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        if (!running) {
            throw new IOException("the command has ended");
        }
        if (bytes.length > 0) {
            input.add(bytes.clone());
        }
    }

    @Override
    public void endInput() {
        input.add(terminal ? new byte[] {4} : END);
    }

    @Override
    public void resize(TerminalSize size) {
        if (terminal) {
            this.size = size;
        }
    }

    @Override
    public boolean signal(String signal) {
        Integer number = SIGNALS.get(signal);
        if (!running || number == null) {
            return running;
        }
        if (number == 2 && terminal) {
            input.add(new byte[] {3});
            return true;
        }
        endedBySignal = number;
        return true;
    }

    @Override
    public void close() {
        closed = true;
    }

    /** The command's stdin as a stream: blocks for input, ends at its end, a signal, close or the deadline. */
    private final class QueueInput extends InputStream {
        private byte[] chunk = new byte[0];
        private int at;
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            while (!ended && at >= chunk.length) {
                try {
                    chunk = next();
                } catch (MockShell.TimedOut | InterruptedException stop) {
                    chunk = END;
                }
                at = 0;
                ended = chunk == END;
                MockShell.Output typed = echo;
                if (!ended && typed != null) {
                    // a terminal echoes what is typed, a carriage return as a new line
                    typed.write("stdout", new String(chunk, StandardCharsets.ISO_8859_1).replace('\r', '\n')
                            .getBytes(StandardCharsets.ISO_8859_1));
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
    }
}
