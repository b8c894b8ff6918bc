package dev.stacyvm.worker.provider.mock;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a mock sandbox runs instead of programs (docs/providers.md, "mock"): a handful of shell
 * built-ins over the sandbox's {@link MemoryFiles}, enough for demos and client tests. A command is
 * an argv, or {@code sh -c LINE} whose line may join commands with {@code ;}, {@code &&} and
 * {@code ||}, quote with {@code '} and {@code "}, and expand {@code $NAME}. The built-ins: {@code echo [-n]}, {@code cat [FILE...]} (stdin without
 * one), {@code ls [DIR]}, {@code pwd}, {@code env}, {@code mkdir [-p] DIR}, {@code rm [-r] [-f] PATH},
 * {@code sleep SECONDS}, {@code read NAME}, {@code stty size} (on a terminal), {@code true},
 * {@code false}, {@code exit [N]}; redirections {@code >}, {@code >>}, {@code 2>}, {@code >&2} and
 * {@code 2>&1}. Anything else answers 127,
 * "command not found", as a shell does.
 */
final class MockShell {

    /** Receives what a command writes. */
    @FunctionalInterface
    interface Output {
        void write(String stream, byte[] bytes) throws IOException;
    }

    /** The exit status of a command its deadline ended: 128 + SIGKILL, as a killed process's. */
    static final int KILLED = 137;
    static final int NOT_FOUND = 127;

    /** Thrown when a command's deadline passes while it sleeps. */
    static final class TimedOut extends Exception {
        TimedOut() {
            super(null, null, false, false);
        }
    }

    private final MemoryFiles files;
    private final Map<String, String> env;
    private final String workdir;
    private final long deadline;
    private final java.util.function.Supplier<dev.stacyvm.worker.provider.TerminalSize> terminal;

    /**
     * @param env      the sandbox's environment with the command's over it
     * @param workdir  the directory {@code pwd} answers and relative paths start from
     * @param deadline {@link System#nanoTime()} past which a sleep ends as {@link TimedOut}
     * @param terminal the terminal's size now, for {@code stty size}; null without a terminal
     */
    MockShell(MemoryFiles files, Map<String, String> env, String workdir, long deadline,
              java.util.function.Supplier<dev.stacyvm.worker.provider.TerminalSize> terminal) {
        this.files = files;
        this.env = new TreeMap<>(env);
        this.workdir = workdir;
        this.deadline = deadline;
        this.terminal = terminal;
    }

    /** Runs an exec's argv: {@code sh -c LINE} as a line, anything else as one command. */
    int run(List<String> argv, InputStream stdin, Output out) throws IOException, TimedOut, InterruptedException {
        if (argv.size() >= 3 && isShell(argv.get(0)) && argv.get(1).equals("-c")) {
            return runLine(argv.get(2), stdin, out);
        }
        return command(argv, stdin, out);
    }

    static boolean isShell(String program) {
        return List.of("sh", "/bin/sh", "bash", "/bin/bash", "/usr/bin/bash").contains(program);
    }

    /** Runs one line of the shell language above; answers the last command's status. */
    int runLine(String line, InputStream stdin, Output out) throws IOException, TimedOut, InterruptedException {
        int status = 0;
        String joiner = ";";
        List<String> words = new ArrayList<>();
        List<String> tokens = tokens(line);
        tokens.add(";");
        for (String token : tokens) {
            if (token.equals(";") || token.equals("&&") || token.equals("||")) {
                if (!words.isEmpty()) {
                    boolean runs = joiner.equals(";") || (joiner.equals("&&") && status == 0)
                            || (joiner.equals("||") && status != 0);
                    if (runs) {
                        status = redirected(words, stdin, out);
                        if (words.get(0).equals("exit")) {
                            return status;
                        }
                    }
                    words.clear();
                }
                joiner = token;
            } else {
                words.add(token);
            }
        }
        return status;
    }

    /**
     * Runs one command with its redirections: {@code >}/{@code >>} FILE and {@code 2>}/{@code 2>>}
     * FILE ({@code /dev/null} discards), {@code >&2} and {@code 2>&1}.
     */
    private int redirected(List<String> words, InputStream stdin, Output out)
            throws IOException, TimedOut, InterruptedException {
        List<String> argv = new ArrayList<>();
        String[] targets = new String[3];
        boolean[] appends = new boolean[3];
        boolean stdoutToStderr = false;
        boolean stderrToStdout = false;
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
        java.io.ByteArrayOutputStream[] captured = {null, new java.io.ByteArrayOutputStream(), new java.io.ByteArrayOutputStream()};
        boolean toStderr = stdoutToStderr;
        boolean toStdout = stderrToStdout;
        int status = command(argv, stdin, (stream, bytes) -> {
            int fd = stream.equals("stdout") ? (toStderr ? 2 : 1) : (toStdout ? 1 : 2);
            if (targets[fd] != null) {
                captured[fd].write(bytes);
            } else {
                out.write(fd == 1 ? "stdout" : "stderr", bytes);
            }
        });
        for (int fd = 1; fd <= 2; fd++) {
            if (targets[fd] == null || targets[fd].equals("/dev/null")) {
                continue;
            }
            byte[] previous = appends[fd] ? files.content(targets[fd]) : null;
            byte[] content = previous == null ? captured[fd].toByteArray() : concat(previous, captured[fd].toByteArray());
            var result = files.run("write", List.of(targets[fd], "644"), new ByteArrayInputStream(content), null);
            if (result.exitCode() != 0) {
                err(out, "sh: " + targets[fd] + ": " + reason(result.exitCode()));
                return 1;
            }
        }
        return status;
    }

    private int command(List<String> words, InputStream stdin, Output out)
            throws IOException, TimedOut, InterruptedException {
        if (words.isEmpty()) {
            return 0;
        }
        String name = words.get(0);
        List<String> args = words.subList(1, words.size());
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
                StringBuilder listing = new StringBuilder();
                env.forEach((key, value) -> listing.append(key).append('=').append(value).append('\n'));
                out.write("stdout", listing.toString().getBytes(StandardCharsets.UTF_8));
                return 0;
            }
            case "cat" -> {
                return cat(args, stdin, out);
            }
            case "ls" -> {
                String directory = absolute(args.isEmpty() ? workdir : args.get(0));
                List<String> names = files.names(directory);
                if (names == null) {
                    if (files.content(directory) != null) {
                        out.write("stdout", (args.get(0) + "\n").getBytes(StandardCharsets.UTF_8));
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
            case "mkdir" -> {
                boolean parents = args.contains("-p");
                int status = 0;
                for (String arg : args) {
                    if (arg.startsWith("-")) {
                        continue;
                    }
                    String directory = absolute(arg);
                    if (files.isDirectory(directory)) {
                        if (!parents) {
                            err(out, "mkdir: cannot create directory '" + arg + "': File exists");
                            status = 1;
                        }
                        continue;
                    }
                    // a directory is made as the parent of a placeholder removed at once
                    String placeholder = (directory.equals("/") ? "" : directory) + "/.mock-mkdir";
                    var made = files.run("write", List.of(placeholder, "644"), InputStream.nullInputStream(), null);
                    if (made.exitCode() != 0) {
                        err(out, "mkdir: cannot create directory '" + arg + "': " + reason(made.exitCode()));
                        status = 1;
                        continue;
                    }
                    files.run("delete", List.of(placeholder, "false"), null, null);
                }
                return status;
            }
            case "rm" -> {
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
            case "sleep" -> {
                return sleep(args, out);
            }
            case "read" -> {
                return read(args, stdin);
            }
            case "stty" -> {
                dev.stacyvm.worker.provider.TerminalSize size = terminal == null ? null : terminal.get();
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

    private int cat(List<String> args, InputStream stdin, Output out) throws IOException {
        if (args.isEmpty()) {
            if (stdin != null) {
                byte[] buffer = new byte[8192];
                for (int read; (read = stdin.read(buffer)) > 0; ) {
                    out.write("stdout", java.util.Arrays.copyOf(buffer, read));
                }
            }
            return 0;
        }
        int status = 0;
        for (String arg : args) {
            String path = absolute(arg);
            byte[] content = files.content(path);
            if (content == null) {
                err(out, "cat: " + arg + ": " + (files.isDirectory(path) ? "Is a directory" : "No such file or directory"));
                status = 1;
            } else {
                out.write("stdout", content);
            }
        }
        return status;
    }

    /** {@code read NAME}: one line of stdin (ended by a newline or a carriage return) into NAME; 1 at its end. */
    private int read(List<String> args, InputStream stdin) throws IOException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        int b = -1;
        if (stdin != null) {
            while ((b = stdin.read()) >= 0 && b != '\n' && b != '\r') {
                line.write(b);
            }
        }
        String name = args.isEmpty() ? "REPLY" : args.get(args.size() - 1);
        env.put(name, line.toString(StandardCharsets.UTF_8));
        return b < 0 && line.size() == 0 ? 1 : 0;
    }

    private int sleep(List<String> args, Output out) throws TimedOut, InterruptedException, IOException {
        double seconds;
        try {
            seconds = args.isEmpty() ? -1 : Double.parseDouble(args.get(0));
        } catch (NumberFormatException notANumber) {
            seconds = -1;
        }
        if (seconds < 0) {
            err(out, "sleep: invalid time interval");
            return 1;
        }
        long until = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < until) {
            long now = System.nanoTime();
            if (now >= deadline) {
                throw new TimedOut();
            }
            long nap = Math.min(until, deadline) - now;
            Thread.sleep(Math.max(1, Math.min(nap / 1_000_000, 200)));
        }
        return 0;
    }

    /** A deadline {@code timeout} from now (none past 24 h, so the sum cannot overflow). */
    static long deadline(Duration timeout) {
        Duration bounded = timeout == null || timeout.compareTo(Duration.ofHours(24)) > 0 ? Duration.ofHours(24) : timeout;
        return System.nanoTime() + bounded.toNanos();
    }

    private String absolute(String path) {
        String joined = path.startsWith("/") ? path : (workdir.equals("/") ? "" : workdir) + "/" + path;
        List<String> parts = new ArrayList<>();
        for (String part : joined.split("/")) {
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

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] joined = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, joined, first.length, second.length);
        return joined;
    }

    /**
     * Splits a line into words and the operators {@code ;}, {@code &&}, {@code ||} and the
     * redirections ({@code >}, {@code >>}, {@code 2>}, {@code >&2}, ...); quotes group, {@code $NAME} expands outside single quotes.
     */
    List<String> tokens(String line) {
        List<String> tokens = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                end = end < 0 ? line.length() : end;
                word.append(line, i + 1, end);
                inWord = true;
                i = end;
            } else if (c == '"') {
                int end = i + 1;
                StringBuilder quoted = new StringBuilder();
                while (end < line.length() && line.charAt(end) != '"') {
                    if (line.charAt(end) == '\\' && end + 1 < line.length()) {
                        quoted.append(line.charAt(++end));
                    } else if (line.charAt(end) == '$') {
                        end = expand(line, end, quoted) - 1;
                    } else {
                        quoted.append(line.charAt(end));
                    }
                    end++;
                }
                word.append(quoted);
                inWord = true;
                i = end;
            } else if (c == '\\' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
                inWord = true;
            } else if (c == '$') {
                i = expand(line, i, word) - 1;
                inWord = true;
            } else if (Character.isWhitespace(c) && c != '\n') {
                inWord = flush(tokens, word, inWord);
            } else if (c == ';' || c == '\n') {
                inWord = flush(tokens, word, inWord);
                tokens.add(";");
            } else if ((c == '&' || c == '|') && i + 1 < line.length() && line.charAt(i + 1) == c) {
                inWord = flush(tokens, word, inWord);
                tokens.add(c == '&' ? "&&" : "||");
                i++;
            } else if (c == '>') {
                String fd = "";
                if (inWord && (word.toString().equals("1") || word.toString().equals("2"))) {
                    fd = word.toString();
                    word.setLength(0);
                    inWord = false;
                }
                inWord = flush(tokens, word, inWord);
                if (i + 2 < line.length() && line.charAt(i + 1) == '&' && Character.isDigit(line.charAt(i + 2))) {
                    tokens.add(fd + ">&" + line.charAt(i + 2));
                    i += 2;
                } else {
                    boolean append = i + 1 < line.length() && line.charAt(i + 1) == '>';
                    tokens.add(fd + (append ? ">>" : ">"));
                    i += append ? 1 : 0;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        flush(tokens, word, inWord);
        return tokens;
    }

    /** Appends the value of the variable named at {@code line[at]} ({@code $NAME} or {@code ${NAME}}); answers the index after it. */
    private int expand(String line, int at, StringBuilder into) {
        int start = at + 1;
        boolean braced = start < line.length() && line.charAt(start) == '{';
        int end = braced ? start + 1 : start;
        while (end < line.length() && (Character.isLetterOrDigit(line.charAt(end)) || line.charAt(end) == '_')) {
            end++;
        }
        String name = line.substring(braced ? start + 1 : start, end);
        if (name.isEmpty()) {
            into.append('$');
            return start;
        }
        into.append(env.getOrDefault(name, ""));
        return braced && end < line.length() && line.charAt(end) == '}' ? end + 1 : end;
    }

    private static boolean flush(List<String> tokens, StringBuilder word, boolean inWord) {
        if (inWord) {
            tokens.add(word.toString());
            word.setLength(0);
        }
        return false;
    }
}
