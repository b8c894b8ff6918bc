package dev.stacyvm.worker.provider.mock;

import dev.stacyvm.worker.provider.TerminalSize;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What a mock sandbox runs instead of programs (docs/providers.md, "mock"): a handful of shell
 * built-ins over the sandbox's {@link MemoryFiles}, enough for demos and client tests. A command is
 * an argv, or {@code sh -c LINE} whose line may join commands with {@code ;}, newlines, {@code &&}
 * and {@code ||}, quote with {@code '} and {@code "}, and expand {@code $NAME} (each command just
 * before it runs). The built-ins: {@code echo [-n]}, {@code cat [FILE...]} (stdin without one),
 * {@code ls [DIR]}, {@code pwd}, {@code env}, {@code mkdir [-p] DIR}, {@code rm [-r] [-f] PATH},
 * {@code sleep SECONDS}, {@code read NAME}, {@code stty size} (on a terminal), {@code true},
 * {@code false}, {@code exit [N]}; redirections {@code >}, {@code >>}, {@code 2>}, {@code >&2} and
 * {@code 2>&1}. Anything else answers 127, "command not found", as a shell does.
 *
 * <p>Bounded like a process would be: a command ends at its deadline or when it is stopped (the
 * exec closed, signalled, its sandbox destroyed), checked between commands, within a sleep and
 * while output is copied; a redirection holds no more than the sandbox has room for; a command's
 * expanded words and a line {@code read} takes are capped ({@link #MAX_COMMAND_CHARS}).
 */
final class MockShell {

    /** Receives what a command writes. */
    @FunctionalInterface
    interface Output {
        void write(String stream, byte[] bytes) throws IOException;
    }

    /** The exit status of a command ended by its deadline or a stop: 128 + SIGKILL, as a killed process's. */
    static final int KILLED = 137;
    static final int NOT_FOUND = 127;
    /** The most characters one command's expanded words may take (as the kernel's argument limit would refuse). */
    static final int MAX_COMMAND_CHARS = 256 * 1024;
    /** The most characters a shell's variables (names and values) may take, its environment's included. */
    static final int MAX_ENV_CHARS = 256 * 1024;
    /** The most bytes one exec's commands may write: past it the exec ends, as a runaway one would be killed. */
    static final long MAX_OUTPUT_BYTES = 64L * 1024 * 1024;

    /** A command ended before it finished: by its deadline ({@link TimedOut}) or a stop ({@link Stopped}). */
    abstract static class Ended extends Exception {
        Ended() {
            super(null, null, false, false);
        }
    }

    /** The deadline passed. */
    static final class TimedOut extends Ended {
    }

    /** The command was stopped: its exec closed or signalled, its sandbox destroyed, or its output past {@link #MAX_OUTPUT_BYTES}. */
    static final class Stopped extends Ended {
    }

    /** A path longer than {@link MemoryFiles#MAX_PATH}. */
    private static final class PathTooLong extends RuntimeException {
        PathTooLong() {
            super(null, null, false, false);
        }
    }

    private final MemoryFiles files;
    private final Map<String, String> env;
    private final String workdir;
    private final long deadline;
    private final BooleanSupplier stopped;
    private final Supplier<TerminalSize> terminal;
    /** The characters of {@link #env}'s names and values. */
    private long envChars;
    /** What this shell's commands have written, in bytes. */
    private long emitted;

    /**
     * @param env      the sandbox's environment with the command's over it
     * @param workdir  the directory {@code pwd} answers and relative paths start from
     * @param deadline {@link System#nanoTime()} past which the command ends as {@link TimedOut}
     * @param stopped  true once the command is to end as {@link Stopped}
     * @param terminal the terminal's size now, for {@code stty size}; null without a terminal
     */
    MockShell(MemoryFiles files, Map<String, String> env, String workdir, long deadline, BooleanSupplier stopped,
              Supplier<TerminalSize> terminal) {
        this.files = files;
        this.env = new TreeMap<>(env);
        this.workdir = normalize(workdir);
        this.deadline = deadline;
        this.stopped = stopped;
        this.terminal = terminal;
        this.envChars = this.env.entrySet().stream().mapToLong(e -> e.getKey().length() + e.getValue().length()).sum();
    }

    /** The environment's size in characters (names and values), as {@link #MAX_ENV_CHARS} counts it. */
    static long envChars(Map<String, String> env) {
        return env.entrySet().stream().mapToLong(e -> e.getKey().length() + (long) e.getValue().length()).sum();
    }

    /** A deadline {@code timeout} from now (none past 24 h, so the sum cannot overflow). */
    static long deadline(Duration timeout) {
        Duration bounded = timeout == null || timeout.compareTo(Duration.ofHours(24)) > 0 ? Duration.ofHours(24) : timeout;
        return System.nanoTime() + bounded.toNanos();
    }

    static boolean isShell(String program) {
        return List.of("sh", "/bin/sh", "bash", "/bin/bash", "/usr/bin/bash").contains(program);
    }

    /** Ends the command here if its deadline passed or it was stopped. */
    private void checkpoint() throws Ended {
        if (stopped.getAsBoolean() || emitted > MAX_OUTPUT_BYTES) {
            throw new Stopped();
        }
        if (System.nanoTime() - deadline >= 0) {
            throw new TimedOut();
        }
        // a busy command gives way: its thread may be a virtual one, which is never preempted
        Thread.yield();
    }

    /** {@code out} counting what passes and passing nothing empty (no reader needs an empty chunk). */
    private Output counted(Output out) {
        return (stream, bytes) -> {
            if (bytes.length > 0) {
                emitted += bytes.length;
                out.write(stream, bytes);
            }
        };
    }

    /** Runs an exec's argv: {@code sh -c LINE} as a line, anything else as one command. */
    int run(List<String> argv, InputStream stdin, Output out) throws IOException, Ended, InterruptedException {
        if (argv.stream().mapToLong(String::length).sum() > MAX_COMMAND_CHARS) {
            err(out, "sh: Argument list too long");
            return 126; // as execve's E2BIG would have it
        }
        if (argv.size() >= 3 && isShell(argv.get(0)) && argv.get(1).equals("-c")) {
            return runLine(argv.get(2), stdin, out);
        }
        return command(argv, stdin, counted(out));
    }

    /** Runs one line of the shell language above; answers the last command's status. */
    int runLine(String line, InputStream stdin, Output raw) throws IOException, Ended, InterruptedException {
        Output out = counted(raw);
        int status = 0;
        Steps steps = new Steps(line);
        for (String[] step = steps.next(); step != null; step = steps.next()) {
            checkpoint();
            String joiner = step[0];
            boolean runs = joiner.equals(";") || (joiner.equals("&&") && status == 0) || (joiner.equals("||") && status != 0);
            if (!runs) {
                continue;
            }
            List<String> words = tokens(step[1]);
            if (words.isEmpty()) {
                continue;
            }
            if (words.stream().mapToLong(String::length).sum() > MAX_COMMAND_CHARS) {
                err(out, "sh: " + words.get(0) + ": Argument list too long");
                status = 126;
                continue;
            }
            status = redirected(words, stdin, out);
            if (words.get(0).equals("exit")) {
                return status;
            }
        }
        return status;
    }

    /**
     * A line's commands one at a time, split at the unquoted {@code ;}, newline, {@code &&} and
     * {@code ||}: each command's text with the operator before it ({@code ;} for the first), made
     * only when asked for.
     */
    static final class Steps {
        private final String line;
        private int at;
        private String joiner = ";";
        private boolean done;

        Steps(String line) {
            this.line = line;
        }

        /** The next step, or null after the last. */
        String[] next() {
            if (done) {
                return null;
            }
            StringBuilder current = new StringBuilder();
            char quote = 0;
            for (; at < line.length(); at++) {
                char c = line.charAt(at);
                if (quote != 0) {
                    current.append(c);
                    if (c == '\\' && quote == '"' && at + 1 < line.length()) {
                        current.append(line.charAt(++at));
                    } else if (c == quote) {
                        quote = 0;
                    }
                } else if (c == '\'' || c == '"') {
                    quote = c;
                    current.append(c);
                } else if (c == '\\' && at + 1 < line.length()) {
                    current.append(c).append(line.charAt(++at));
                } else if (c == ';' || c == '\n') {
                    at++;
                    return step(current, ";");
                } else if ((c == '&' || c == '|') && at + 1 < line.length() && line.charAt(at + 1) == c) {
                    at += 2;
                    return step(current, c == '&' ? "&&" : "||");
                } else {
                    current.append(c);
                }
            }
            done = true;
            return new String[] {joiner, current.toString()};
        }

        private String[] step(StringBuilder text, String following) {
            String[] step = {joiner, text.toString()};
            joiner = following;
            return step;
        }
    }

    /**
     * Runs one command with its redirections: {@code >}/{@code >>} FILE and {@code 2>}/{@code 2>>}
     * FILE ({@code /dev/null} discards), {@code >&2} and {@code 2>&1}. What goes to a file is held
     * only up to the room the sandbox has left; past it the command is told its disk is full.
     */
    private int redirected(List<String> words, InputStream stdin, Output out) throws IOException, Ended, InterruptedException {
        List<String> argv = new ArrayList<>();
        String[] targets = new String[3];
        boolean[] appends = new boolean[3];
        boolean stdoutToStderr = false;
        boolean stderrToStdout = false;
        try {
            for (int i = 0; i < words.size(); i++) {
                String word = words.get(i);
                switch (word) {
                    case ">&2", "1>&2" -> stdoutToStderr = true;
                    case "2>&1" -> stderrToStdout = true;
                    case ">", ">>", "1>", "1>>", "2>", "2>>" -> {
                        if (i + 1 >= words.size()) {
                            err(out, "sh: syntax error: a redirection needs a file");
                            return 2;
                        }
                        int fd = word.startsWith("2") ? 2 : 1;
                        targets[fd] = absolute(words.get(++i));
                        appends[fd] = word.endsWith(">>");
                    }
                    default -> argv.add(word);
                }
            }
        } catch (PathTooLong tooLong) {
            err(out, "sh: File name too long");
            return 1;
        }
        Capture[] captured = {null, null, null};
        for (int fd = 1; fd <= 2; fd++) {
            if (targets[fd] != null && !targets[fd].equals("/dev/null")) {
                // '>' replaces the file, so its bytes are room too; '>>' adds to them
                captured[fd] = new Capture(files, appends[fd] ? 0 : files.sizeOf(targets[fd]));
            }
        }
        boolean toStderr = stdoutToStderr;
        boolean toStdout = stderrToStdout;
        int status;
        try {
            status = command(argv, stdin, (stream, bytes) -> {
                int fd = stream.equals("stdout") ? (toStderr ? 2 : 1) : (toStdout ? 1 : 2);
                if (targets[fd] == null) {
                    out.write(fd == 1 ? "stdout" : "stderr", bytes);
                } else if (captured[fd] != null) {
                    captured[fd].write(bytes);
                }
            });
        } finally {
            for (Capture capture : captured) {
                if (capture != null) {
                    capture.release();
                }
            }
        }
        for (int fd = 1; fd <= 2; fd++) {
            if (captured[fd] == null) {
                continue;
            }
            int code = MemoryFiles.DISK_FULL;
            if (!captured[fd].overflowed) {
                code = appends[fd] ? files.append(targets[fd], captured[fd].toByteArray())
                        : files.put(targets[fd], captured[fd].toByteArray(), 0644);
            }
            if (code != MemoryFiles.OK) {
                err(out, "sh: " + targets[fd] + ": " + reason(code));
                return 1;
            }
        }
        return status;
    }

    /**
     * Bytes held for a redirection, each one reserved from the sandbox's room as it comes, so that
     * what is gathered counts against the sandbox while the command runs; past the room they are
     * dropped and it says so.
     */
    private static final class Capture extends java.io.ByteArrayOutputStream {
        private final MemoryFiles files;
        private final long allowance;
        private long taken;
        boolean overflowed;

        Capture(MemoryFiles files, long allowance) {
            this.files = files;
            this.allowance = allowance;
        }

        @Override
        public void write(byte[] bytes) {
            if (overflowed || !files.reserve(bytes.length, allowance)) {
                overflowed = true;
                return;
            }
            taken += bytes.length;
            write(bytes, 0, bytes.length);
        }

        /** Gives the reservation back (before the bytes are put, which takes them for good). */
        void release() {
            files.release(taken);
            taken = 0;
        }
    }

    private int command(List<String> words, InputStream stdin, Output out) throws IOException, Ended, InterruptedException {
        if (words.isEmpty()) {
            return 0;
        }
        String name = words.get(0);
        List<String> args = words.subList(1, words.size());
        try {
            return builtIn(name, args, stdin, out);
        } catch (PathTooLong tooLong) {
            err(out, name + ": File name too long");
            return 1;
        }
    }

    private int builtIn(String name, List<String> args, InputStream stdin, Output out)
            throws IOException, Ended, InterruptedException {
        switch (name) {
            case "true", ":" -> {
                return 0;
            }
            case "false" -> {
                return 1;
            }
            case "exit" -> {
                return args.isEmpty() ? 0 : parseStatus(args.get(0));
            }
            case "echo" -> {
                boolean newline = args.isEmpty() || !args.get(0).equals("-n");
                String text = String.join(" ", newline ? args : args.subList(1, args.size()));
                out.write("stdout", (text + (newline ? "\n" : "")).getBytes(StandardCharsets.UTF_8));
                return 0;
            }
            case "pwd" -> {
                out.write("stdout", (workdir + "\n").getBytes(StandardCharsets.UTF_8));
                return 0;
            }
            case "env" -> {
                for (Map.Entry<String, String> variable : env.entrySet()) {
                    checkpoint();
                    out.write("stdout", (variable.getKey() + "=" + variable.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
                }
                return 0;
            }
            case "cat" -> {
                return cat(args, stdin, out);
            }
            case "ls" -> {
                return ls(args, out);
            }
            case "mkdir" -> {
                return mkdir(args, out);
            }
            case "rm" -> {
                return rm(args, out);
            }
            case "sleep" -> {
                return sleep(args, out);
            }
            case "read" -> {
                return read(args, stdin);
            }
            case "stty" -> {
                TerminalSize size = terminal == null ? null : terminal.get();
                if (size == null) {
                    err(out, "stty: 'standard input': Inappropriate ioctl for device");
                    return 1;
                }
                if (!args.equals(List.of("size"))) {
                    err(out, "stty: the mock answers stty size alone");
                    return 1;
                }
                out.write("stdout", (size.rows() + " " + size.cols() + "\n").getBytes(StandardCharsets.UTF_8));
                return 0;
            }
            default -> {
                err(out, "sh: " + name + ": command not found (the mock provider runs no programs: docs/providers.md)");
                return NOT_FOUND;
            }
        }
    }

    private int cat(List<String> args, InputStream stdin, Output out) throws IOException, Ended {
        if (args.isEmpty()) {
            if (stdin != null) {
                byte[] buffer = new byte[8192];
                for (int read; (read = stdin.read(buffer)) > 0; ) {
                    checkpoint();
                    out.write("stdout", Arrays.copyOf(buffer, read));
                }
            }
            return 0;
        }
        int status = 0;
        for (String arg : args) {
            checkpoint();
            String path = absolute(arg);
            byte[] content = files.content(path);
            if (content == null) {
                err(out, "cat: " + arg + ": " + (files.isDirectory(path) ? "Is a directory" : "No such file or directory"));
                status = 1;
                continue;
            }
            for (int at = 0; at < content.length; at += 64 * 1024) {
                checkpoint();
                out.write("stdout", Arrays.copyOfRange(content, at, Math.min(content.length, at + 64 * 1024)));
            }
        }
        return status;
    }

    private int ls(List<String> args, Output out) throws IOException {
        String directory = absolute(args.isEmpty() ? workdir : args.get(0));
        List<String> names = files.names(directory);
        if (names == null) {
            if (files.content(directory) != null) {
                out.write("stdout", ((args.isEmpty() ? directory : args.get(0)) + "\n").getBytes(StandardCharsets.UTF_8));
                return 0;
            }
            err(out, "ls: cannot access '" + directory + "': No such file or directory");
            return 2;
        }
        StringBuilder listing = new StringBuilder();
        names.stream().filter(entry -> !entry.startsWith(".")).forEach(entry -> listing.append(entry).append('\n'));
        out.write("stdout", listing.toString().getBytes(StandardCharsets.UTF_8));
        return 0;
    }

    private int mkdir(List<String> args, Output out) throws IOException {
        boolean parents = args.contains("-p");
        int status = 0;
        for (String arg : args) {
            if (arg.startsWith("-")) {
                continue;
            }
            String directory = absolute(arg);
            String parent = MemoryFiles.parentOf(directory);
            if (files.isDirectory(directory)) {
                if (!parents) {
                    err(out, "mkdir: cannot create directory '" + arg + "': File exists");
                    status = 1;
                }
                continue;
            }
            if (!parents && parent != null && !files.isDirectory(parent)) {
                err(out, "mkdir: cannot create directory '" + arg + "': No such file or directory");
                status = 1;
                continue;
            }
            int code = files.makeDirectory(directory);
            if (code != MemoryFiles.OK) {
                err(out, "mkdir: cannot create directory '" + arg + "': " + reason(code));
                status = 1;
            }
        }
        return status;
    }

    private int rm(List<String> args, Output out) throws IOException {
        boolean recursive = args.stream().anyMatch(arg -> arg.startsWith("-") && arg.contains("r"));
        boolean force = args.stream().anyMatch(arg -> arg.startsWith("-") && arg.contains("f"));
        int status = 0;
        for (String arg : args) {
            if (arg.startsWith("-")) {
                continue;
            }
            int code = files.run("delete", List.of(absolute(arg), String.valueOf(recursive)), null, null).exitCode();
            if (code != 0 && !(force && code == MemoryFiles.NOT_FOUND)) {
                err(out, "rm: cannot remove '" + arg + "': " + reason(code));
                status = 1;
            }
        }
        return status;
    }

    /** {@code read NAME}: one line of stdin (ended by a newline or a carriage return) into NAME; 1 at its end. */
    private int read(List<String> args, InputStream stdin) throws IOException, Ended {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        int b = -1;
        if (stdin != null) {
            while ((b = stdin.read()) >= 0 && b != '\n' && b != '\r') {
                if (line.size() < MAX_COMMAND_CHARS) {
                    line.write(b);
                } else {
                    checkpoint(); // a line that never ends is read, not held, until the command ends
                }
            }
        }
        String name = args.isEmpty() ? "REPLY" : args.get(args.size() - 1);
        String value = line.toString(StandardCharsets.UTF_8);
        String old = env.get(name);
        long after = envChars - (old == null ? 0 : name.length() + old.length()) + name.length() + value.length();
        if (after > MAX_ENV_CHARS) {
            return 1; // no room for the variable: as a shell out of memory, the read fails
        }
        env.put(name, value);
        envChars = after;
        return b < 0 && line.size() == 0 ? 1 : 0;
    }

    /** {@code sleep N} (seconds, fractions allowed; {@code infinity}): until then, its deadline or a stop. */
    private int sleep(List<String> args, Output out) throws Ended, InterruptedException, IOException {
        double seconds = args.isEmpty() ? Double.NaN : parseSeconds(args.get(0));
        if (Double.isNaN(seconds) || seconds < 0) {
            err(out, "sleep: invalid time interval");
            return 1;
        }
        long nanos = seconds >= 1e9 ? Long.MAX_VALUE / 2 : (long) (seconds * 1e9);
        long until = System.nanoTime() + nanos;
        while (until - System.nanoTime() > 0) {
            checkpoint();
            Thread.sleep(Math.max(1, Math.min((until - System.nanoTime()) / 1_000_000, 100)));
        }
        return 0;
    }

    private static double parseSeconds(String text) {
        if (text.equalsIgnoreCase("inf") || text.equalsIgnoreCase("infinity")) {
            return Double.POSITIVE_INFINITY;
        }
        try {
            return text.matches("[0-9]*\\.?[0-9]+") ? Double.parseDouble(text) : Double.NaN;
        } catch (NumberFormatException notANumber) {
            return Double.NaN;
        }
    }

    /** {@code path} made absolute from the workdir and normalised. */
    private String absolute(String path) {
        return normalize(path.startsWith("/") ? path : (workdir.equals("/") ? "" : workdir) + "/" + path);
    }

    /** An absolute path without {@code .}, {@code ..} or repeated slashes. */
    static String normalize(String path) {
        if (path.length() > MemoryFiles.MAX_PATH) {
            throw new PathTooLong();
        }
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
            } else {
                parts.add(part);
            }
        }
        return "/" + String.join("/", parts);
    }

    private static int parseStatus(String text) {
        try {
            return Integer.parseInt(text) & 0xff;
        } catch (NumberFormatException notANumber) {
            return 2;
        }
    }

    private static void err(Output out, String message) throws IOException {
        out.write("stderr", (message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static String reason(int code) {
        return switch (code) {
            case MemoryFiles.NOT_FOUND -> "No such file or directory";
            case MemoryFiles.IS_DIRECTORY -> "Is a directory";
            case MemoryFiles.NOT_EMPTY -> "Directory not empty";
            case MemoryFiles.NOT_DIRECTORY -> "Not a directory";
            case MemoryFiles.DISK_FULL -> "No space left on device";
            default -> "Operation not permitted";
        };
    }

    /**
     * Splits one command into words and its redirections ({@code >}, {@code >>}, {@code 2>},
     * {@code >&2}, ...); quotes group, {@code $NAME} and {@code ${NAME}} expand outside single quotes.
     * Expansion stops growing a word past {@link #MAX_COMMAND_CHARS}.
     */
    List<String> tokens(String command) {
        tokenChars = 0;
        List<String> tokens = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (c == '\'') {
                int end = command.indexOf('\'', i + 1);
                end = end < 0 ? command.length() : end;
                word.append(command, i + 1, end);
                inWord = true;
                i = end;
            } else if (c == '"') {
                int end = i + 1;
                while (end < command.length() && command.charAt(end) != '"') {
                    if (command.charAt(end) == '\\' && end + 1 < command.length()) {
                        word.append(command.charAt(++end));
                    } else if (command.charAt(end) == '$') {
                        end = expand(command, end, word) - 1;
                    } else {
                        word.append(command.charAt(end));
                    }
                    end++;
                }
                inWord = true;
                i = end;
            } else if (c == '\\' && i + 1 < command.length()) {
                word.append(command.charAt(++i));
                inWord = true;
            } else if (c == '$') {
                i = expand(command, i, word) - 1;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                inWord = flush(tokens, word, inWord);
            } else if (c == '>') {
                String fd = "";
                if (inWord && (word.toString().equals("1") || word.toString().equals("2"))) {
                    fd = word.toString();
                    word.setLength(0);
                    inWord = false;
                }
                inWord = flush(tokens, word, inWord);
                if (i + 2 < command.length() && command.charAt(i + 1) == '&' && Character.isDigit(command.charAt(i + 2))) {
                    tokens.add(fd + ">&" + command.charAt(i + 2));
                    i += 2;
                } else {
                    boolean append = i + 1 < command.length() && command.charAt(i + 1) == '>';
                    tokens.add(fd + (append ? ">>" : ">"));
                    i += append ? 1 : 0;
                }
            } else {
                word.append(c);
                inWord = true;
            }
            if (tokenChars + word.length() > MAX_COMMAND_CHARS) {
                // past the limit the command is refused (runLine): nothing more is held for it
                word.setLength((int) Math.max(0, MAX_COMMAND_CHARS + 1 - tokenChars));
            }
        }
        flush(tokens, word, inWord);
        return tokens;
    }

    /** Appends the value of the variable named at {@code text[at]} ({@code $NAME} or {@code ${NAME}}); answers the index after it. */
    private int expand(String text, int at, StringBuilder into) {
        int start = at + 1;
        boolean braced = start < text.length() && text.charAt(start) == '{';
        int end = braced ? start + 1 : start;
        while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) {
            end++;
        }
        String name = text.substring(braced ? start + 1 : start, end);
        if (name.isEmpty()) {
            into.append('$');
            return start;
        }
        String value = env.getOrDefault(name, "");
        into.append(value, 0, (int) Math.min(value.length(), Math.max(0, MAX_COMMAND_CHARS + 1L - tokenChars - into.length())));
        return braced && end < text.length() && text.charAt(end) == '}' ? end + 1 : end;
    }

    private boolean flush(List<String> tokens, StringBuilder word, boolean inWord) {
        if (inWord) {
            tokenChars += word.length();
            tokens.add(word.toString());
            word.setLength(0);
        }
        return false;
    }

    /** The characters of the words {@link #tokens} has made so far for the command it splits. */
    private long tokenChars;
}
