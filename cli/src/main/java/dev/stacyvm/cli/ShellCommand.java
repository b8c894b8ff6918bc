package dev.stacyvm.cli;

import dev.stacyvm.client.ExecSession;
import dev.stacyvm.client.RemoteSandbox;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ExecSocketRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code shell ID}: a terminal in a sandbox over its exec WebSocket, as {@code ssh} gives one. On a local terminal it
 * puts it in raw mode for the session (and back afterwards, however the CLI ends) and follows its size. As with
 * {@code ssh}, stdin that is no terminal (a pipe, a file) gets no remote terminal either: the command reads it to its
 * end (the eof frame), with stdout and stderr apart; {@code --tty} asks for one all the same, and then the end of stdin
 * is typed as Ctrl-D, since the server's eof on a terminal ends the session at once. The exit status is the remote
 * command's.
 */
@Command(name = "shell", mixinStandardHelpOptions = true,
        description = "Open a terminal in a sandbox: its login shell (bash, else sh), or --command. Keys go to the "
                + "sandbox as typed (Ctrl-C and Ctrl-D included); exit the shell to leave. The exit status is the remote "
                + "command's. As with ssh, stdin that is not a terminal (a pipe, a file) gets no remote terminal unless "
                + "--tty: the command reads stdin to its end, its stdout and stderr stay apart, and the timeout defaults "
                + "to 60s.")
final class ShellCommand extends ApiCommand {

    /** How often the local terminal's size is checked: Java cannot catch SIGWINCH. */
    static final Duration SIZE_POLL = Duration.ofMillis(500);
    /** Ctrl-D: what a terminal reads as the end of input at the start of a line. */
    private static final byte END_OF_INPUT = 4;

    @Parameters(index = "0", paramLabel = "ID", description = "the sandbox")
    String id;
    @Option(names = "--command", paramLabel = "CMD",
            description = "run this command line (in /bin/sh -c) on the terminal instead of the login shell")
    String command;
    @Option(names = "--workdir", paramLabel = "DIR", description = "start in this folder")
    String workdir;
    @Option(names = "--env", paramLabel = "KEY=VALUE", description = "an environment variable (repeatable)")
    Map<String, String> env = new LinkedHashMap<>();
    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "end the session after this long (default: on a terminal your max exec timeout, 1h unless "
                    + "set; else 60s)")
    String timeout;
    @Option(names = {"-t", "--tty"},
            description = "a remote terminal even when stdin is not one (its end is then typed as Ctrl-D)")
    boolean tty;
    @Option(names = "--cols", paramLabel = "N",
            description = "the remote terminal's columns (default: the local terminal's, followed as it changes; else 80)")
    Integer cols;
    @Option(names = "--rows", paramLabel = "N",
            description = "the remote terminal's rows (default: the local terminal's, followed as it changes; else 24)")
    Integer rows;

    ShellCommand(CliContext context) {
        super(context);
    }

    @Override
    public Integer call() throws InterruptedException {
        if (api.json) {
            throw new UsageException("shell has no --json: its output is the terminal's");
        }
        for (Integer size : Arrays.asList(cols, rows)) {
            if (size != null && (size < 1 || size > 1000)) {
                throw new UsageException("--cols and --rows are 1 to 1000, not " + size);
            }
        }
        LocalTerminal terminal = LocalTerminal.of(context.in());
        int[] localSize = terminal == null ? null : terminal.size();
        int startCols = cols != null ? cols : localSize != null ? localSize[0] : 80;
        int startRows = rows != null ? rows : localSize != null ? localSize[1] : 24;
        boolean pty = terminal != null || tty;
        boolean followSize = terminal != null && cols == null && rows == null;

        ExecSocketRequest request = command != null
                ? new ExecSocketRequest(null, command, null, "shell", env.isEmpty() ? null : env, workdir, timeout, pty,
                        pty ? startCols : null, pty ? startRows : null, ExecSocketRequest.BASE64)
                : new ExecSocketRequest(null, RemoteSandbox.LOGIN_SHELL.get(0),
                        RemoteSandbox.LOGIN_SHELL.subList(1, RemoteSandbox.LOGIN_SHELL.size()), "argv",
                        env.isEmpty() ? null : env, workdir, timeout, pty, pty ? startCols : null, pty ? startRows : null,
                        ExecSocketRequest.BASE64);
        PrintStream out = context.out();
        PrintStream err = context.err();
        ExecSession session = client().get(id).openExecSocket(request, chunk -> {
            PrintStream target = "stderr".equals(chunk.stream()) ? err : out;
            target.write(chunk.data(), 0, chunk.data().length);
            target.flush();
        });
        // SIGTERM (or Ctrl-C before raw mode) ends the JVM: put the terminal back and end the remote command
        Thread onExit = new Thread(() -> {
            if (terminal != null) {
                terminal.restore();
            }
            session.close();
        }, "stacyvm-shell-exit");
        Runtime.getRuntime().addShutdownHook(onExit);
        boolean raw = terminal != null && terminal.raw();
        try (session) {
            Thread input = Thread.ofPlatform().daemon().name("stacyvm-shell-stdin").start(() -> copyInput(session, pty));
            Thread resizer = followSize ? Thread.ofPlatform().daemon().name("stacyvm-shell-size")
                    .start(() -> followSize(terminal, session, startCols, startRows)) : null;
            try {
                ExecSession.Done done = awaitEnd(session);
                if (raw) {
                    terminal.restore();
                }
                if (done.timedOut()) {
                    context.err().println("stacyvm: the session timed out after " + done.duration());
                }
                return done.exitCode();
            } finally {
                if (resizer != null) {
                    resizer.interrupt();
                }
                input.interrupt();
            }
        } finally {
            if (raw) {
                terminal.restore();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running, or has
            }
        }
    }

    /** Waits for the remote command's end, however long it runs (its timeout bounds it). */
    private static ExecSession.Done awaitEnd(ExecSession session) throws InterruptedException {
        while (true) {
            try {
                return session.awaitDone(Duration.ofMinutes(1));
            } catch (TimeoutException stillRunning) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        }
    }

    /**
     * Copies stdin to the session as it comes, then ends the remote stdin: the eof frame without a terminal, Ctrl-D (a
     * terminal's end of input; twice after a partial line, whose first Ctrl-D only ends the line) on one.
     */
    private void copyInput(ExecSession session, boolean onTerminal) {
        InputStream in = context.in();
        byte[] buffer = new byte[8192];
        byte last = '\n';
        try {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (session.isDone()) {
                    return;
                }
                if (read > 0) {
                    session.send(buffer, 0, read);
                    last = buffer[read - 1];
                }
            }
            if (!onTerminal) {
                session.endInput();
            } else {
                session.send(last == '\n' || last == '\r' ? new byte[] {END_OF_INPUT} : new byte[] {END_OF_INPUT, END_OF_INPUT});
            }
        } catch (IOException | ApiException ended) {
            // stdin or the socket is gone; the session's end says what happened
        }
    }

    /** Sends the local terminal's size whenever it changes, until the session ends. */
    private static void followSize(LocalTerminal terminal, ExecSession session, int cols, int rows) {
        int[] last = {cols, rows};
        try {
            while (!session.isDone()) {
                Thread.sleep(SIZE_POLL.toMillis());
                int[] now = terminal.size();
                if (now != null && !Arrays.equals(now, last)) {
                    session.resize(now[0], now[1]);
                    last = now;
                }
            }
        } catch (InterruptedException | ApiException ended) {
            // the session is over
        }
    }
}
