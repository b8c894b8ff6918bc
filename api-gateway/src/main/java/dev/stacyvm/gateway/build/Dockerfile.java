package dev.stacyvm.gateway.build;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Dockerfile into a {@link BuildPlan} for StacyVM's builder, which runs every step in a
 * hardened build sandbox instead of Docker's builder (docs/images.md, Builds). It follows the
 * Dockerfile reference (docs.docker.com/reference/dockerfile) for what it accepts: the
 * {@code escape} directive, line continuations, comments, {@code ARG} and {@code ENV} substitution
 * ({@code $NAME}, {@code ${NAME}}, {@code ${NAME:-word}}, {@code ${NAME:+word}}), exec and shell
 * forms. It takes one stage: {@code FROM}, {@code ARG}, {@code ENV}, {@code RUN}, {@code COPY},
 * {@code ADD} (local files), {@code WORKDIR}, {@code USER}, {@code CMD}, {@code ENTRYPOINT},
 * {@code EXPOSE}, {@code LABEL} and {@code MAINTAINER}. Anything else (a second {@code FROM},
 * {@code COPY --from}, {@code RUN --mount}, {@code ADD} of a URL, {@code VOLUME}, {@code SHELL},
 * {@code HEALTHCHECK}, {@code ONBUILD}, {@code STOPSIGNAL}) is refused with its line, never ignored.
 */
public final class Dockerfile {

    /** The most steps one Dockerfile may hold. */
    public static final int MAX_INSTRUCTIONS = 200;
    /** The longest value a substitution may make ({@code ENV A=$A$A} doubles). */
    static final int MAX_VALUE = 64 * 1024;
    /** The most all substitutions of one Dockerfile may make together. */
    static final int MAX_SUBSTITUTED = 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DIRECTIVE = Pattern.compile("#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(\\S+)\\s*");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern PORT = Pattern.compile("([0-9]{1,5})(/(tcp|udp))?");
    private static final List<String> SHELL = List.of("/bin/sh", "-c");

    private final Map<String, String> buildArgs;
    private final Map<String, String> args = new LinkedHashMap<>();
    private final Map<String, String> globalArgs = new LinkedHashMap<>();
    /** The environment so far: the base image's, then every ENV. */
    private final Map<String, String> env = new LinkedHashMap<>();
    /** What the Dockerfile's ENVs set: the image's changes over its base's environment. */
    private final Map<String, String> envSet = new LinkedHashMap<>();
    private final List<BuildPlan.Step> steps = new ArrayList<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final List<String> exposed = new ArrayList<>();
    private String from;
    private String workdir;
    private long substituted;
    private boolean workdirSet;
    private String user;
    private List<String> cmd;
    private List<String> entrypoint;

    private Dockerfile(Map<String, String> buildArgs, BaseImage base) {
        this.buildArgs = buildArgs == null ? Map.of() : buildArgs;
        this.env.putAll(base.env());
        this.workdir = base.workdir() == null || base.workdir().isBlank() ? "/" : base.workdir();
    }

    /**
     * The plan of {@code text}, with {@code buildArgs} (may be null) as {@code --build-arg} values.
     *
     * @throws DockerfileException naming the line and what is wrong or not supported
     */
    public static BuildPlan plan(String text, Map<String, String> buildArgs) {
        return plan(text, buildArgs, BaseImage.UNKNOWN);
    }

    /**
     * What a Dockerfile's steps start from: the base image's environment ({@code $PATH} in
     * {@code ENV PATH=/opt/bin:$PATH}) and working directory, as the build sandbox reports them.
     */
    public record BaseImage(Map<String, String> env, String workdir) {

        /** Before the base is known (the request is checked): no variables, {@code /}. */
        public static final BaseImage UNKNOWN = new BaseImage(Map.of(), "/");

        public BaseImage {
            env = env == null ? Map.of() : Map.copyOf(env);
        }
    }

    /**
     * The plan of {@code text} over {@code base}, with {@code buildArgs} (may be null) as
     * {@code --build-arg} values.
     *
     * @throws DockerfileException naming the line and what is wrong or not supported
     */
    public static BuildPlan plan(String text, Map<String, String> buildArgs, BaseImage base) {
        Dockerfile dockerfile = new Dockerfile(buildArgs, base);
        List<Instruction> instructions = instructions(text);
        if (instructions.size() > MAX_INSTRUCTIONS) {
            throw new DockerfileException(0, "at most " + MAX_INSTRUCTIONS + " instructions");
        }
        for (Instruction instruction : instructions) {
            dockerfile.dispatch(instruction);
        }
        if (dockerfile.from == null) {
            throw new DockerfileException(0, "no FROM instruction");
        }
        List<String> envList = new ArrayList<>();
        dockerfile.envSet.forEach((name, value) -> envList.add(name + "=" + value));
        return new BuildPlan(dockerfile.from, dockerfile.steps, new BuildPlan.ImageChanges(envList, dockerfile.cmd,
                dockerfile.entrypoint, dockerfile.workdirSet ? dockerfile.workdir : null, dockerfile.user,
                dockerfile.exposed, dockerfile.labels));
    }

    /** One logical instruction: its keyword (upper case), the rest of its text, its first line. */
    record Instruction(int line, String keyword, String rest) {
    }

    /** Splits the text into instructions: directives read, comments dropped, continuations joined. */
    static List<Instruction> instructions(String text) {
        String[] lines = text.replace("\r\n", "\n").split("\n", -1);
        char escape = '\\';
        int index = 0;
        // parser directives come first, before any comment, blank line or instruction
        while (index < lines.length) {
            Matcher directive = DIRECTIVE.matcher(lines[index].trim());
            if (!directive.matches()) {
                break;
            }
            String name = directive.group(1).toLowerCase(Locale.ROOT);
            if (name.equals("escape")) {
                String value = directive.group(2);
                if (!value.equals("\\") && !value.equals("`")) {
                    throw new DockerfileException(index + 1, "escape must be \\ or `");
                }
                escape = value.charAt(0);
            } else if (!name.equals("syntax") && !name.equals("check")) {
                break;
            }
            index++;
        }
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = null;
        int start = 0;
        for (; index < lines.length; index++) {
            String line = lines[index];
            String trimmed = line.strip();
            if (trimmed.startsWith("#")) {
                continue; // a comment, also between continued lines
            }
            if (current == null) {
                if (trimmed.isEmpty()) {
                    continue;
                }
                current = new StringBuilder();
                start = index + 1;
            }
            String stripped = line.stripTrailing();
            if (!stripped.isEmpty() && stripped.charAt(stripped.length() - 1) == escape) {
                current.append(stripped, 0, stripped.length() - 1);
                continue;
            }
            current.append(line);
            instructions.add(instruction(start, current.toString()));
            current = null;
        }
        if (current != null && !current.toString().isBlank()) {
            instructions.add(instruction(start, current.toString()));
        }
        return instructions;
    }

    private static Instruction instruction(int line, String text) {
        String trimmed = text.strip();
        int space = 0;
        while (space < trimmed.length() && !Character.isWhitespace(trimmed.charAt(space))) {
            space++;
        }
        return new Instruction(line, trimmed.substring(0, space).toUpperCase(Locale.ROOT),
                trimmed.substring(space).strip());
    }

    private void dispatch(Instruction instruction) {
        int line = instruction.line();
        String rest = instruction.rest();
        String keyword = instruction.keyword();
        if (from == null && !keyword.equals("FROM") && !keyword.equals("ARG")) {
            throw new DockerfileException(line, keyword + " before FROM; only ARG may come before it");
        }
        switch (keyword) {
            case "FROM" -> from(line, rest);
            case "ARG" -> arg(line, rest);
            case "ENV" -> pairs(line, keyword, rest, true).forEach((name, value) -> {
                env.put(name, value);
                envSet.put(name, value);
            });
            case "LABEL" -> pairs(line, keyword, rest, false).forEach((name, value) -> {
                if (name.startsWith("dev.stacyvm.")) {
                    throw new DockerfileException(line, "LABEL " + name + ": dev.stacyvm. labels are StacyVM's own");
                }
                labels.put(name, value);
            });
            case "MAINTAINER" -> labels.put("maintainer", substitute(line, rest));
            case "RUN" -> run(line, rest);
            case "CMD" -> cmd = command(line, keyword, rest);
            case "ENTRYPOINT" -> entrypoint = command(line, keyword, rest);
            case "WORKDIR" -> workdir(line, rest);
            case "USER" -> user(line, rest);
            case "EXPOSE" -> expose(line, rest);
            case "COPY", "ADD" -> copy(line, keyword, rest);
            case "VOLUME", "SHELL", "HEALTHCHECK", "ONBUILD", "STOPSIGNAL" ->
                    throw new DockerfileException(line, keyword + " is not supported by StacyVM's builder");
            default -> throw new DockerfileException(line, "unknown instruction " + keyword);
        }
    }

    private void from(int line, String rest) {
        if (from != null) {
            throw new DockerfileException(line, "one FROM only: multi-stage builds are not supported");
        }
        List<String> words = words(line, rest);
        if (words.isEmpty() || words.get(0).startsWith("--")) {
            throw new DockerfileException(line, "FROM takes an image" + (words.isEmpty() ? "" : ", no options"));
        }
        if (words.size() != 1 && !(words.size() == 3 && words.get(1).equalsIgnoreCase("AS"))) {
            throw new DockerfileException(line, "FROM takes an image and an optional AS name");
        }
        // only ARGs declared before FROM are in scope for it, as in Docker's builder
        from = substitute(line, words.get(0));
        if (from.isBlank()) {
            throw new DockerfileException(line, "FROM names no image");
        }
        if (from.equals("scratch")) {
            throw new DockerfileException(line, "FROM scratch is not supported: a build runs its steps in its base image");
        }
        // ARGs before FROM must be declared again to be seen after it, and then keep their values
        globalArgs.putAll(args);
        args.clear();
    }

    private void arg(int line, String rest) {
        List<String> words = words(line, rest);
        if (words.isEmpty()) {
            throw new DockerfileException(line, "ARG takes a name");
        }
        for (String word : words) {
            int equals = word.indexOf('=');
            String name = equals < 0 ? word : word.substring(0, equals);
            if (!NAME.matcher(name).matches()) {
                throw new DockerfileException(line, "ARG name \"" + name + "\" is not a valid name");
            }
            String value = buildArgs.containsKey(name) ? buildArgs.get(name)
                    : equals >= 0 ? substitute(line, word.substring(equals + 1)) : globalArgs.get(name);
            if (value != null) {
                args.put(name, value);
            } else {
                args.remove(name);
            }
        }
    }

    /** {@code name=value} pairs (quotes and escapes as in a shell), or the old {@code ENV name value}. */
    private Map<String, String> pairs(int line, String keyword, String rest, boolean legacyForm) {
        Map<String, String> pairs = new LinkedHashMap<>();
        List<String> words = words(line, rest);
        if (words.isEmpty()) {
            throw new DockerfileException(line, keyword + " takes name=value pairs");
        }
        if (legacyForm && !words.get(0).contains("=")) {
            int space = rest.indexOf(' ');
            if (space < 0) {
                throw new DockerfileException(line, keyword + " " + rest + " has no value");
            }
            pairs.put(checkedName(line, keyword, rest.substring(0, space)), substitute(line, rest.substring(space + 1).strip()));
            return pairs;
        }
        for (String word : words) {
            int equals = word.indexOf('=');
            if (equals <= 0) {
                throw new DockerfileException(line, keyword + " takes name=value pairs, not \"" + word + "\"");
            }
            String name = word.substring(0, equals);
            pairs.put(keyword.equals("LABEL") ? name : checkedName(line, keyword, name),
                    substitute(line, word.substring(equals + 1)));
        }
        return pairs;
    }

    private static String checkedName(int line, String keyword, String name) {
        if (!NAME.matcher(name).matches()) {
            throw new DockerfileException(line, keyword + " name \"" + name + "\" is not a valid variable name");
        }
        return name;
    }

    private void run(int line, String rest) {
        if (rest.startsWith("--")) {
            throw new DockerfileException(line, "RUN options (--mount, --network, --security) are not supported");
        }
        List<String> argv = execForm(rest);
        if (argv == null) {
            if (rest.isBlank()) {
                throw new DockerfileException(line, "RUN takes a command");
            }
            argv = new ArrayList<>(SHELL);
            argv.add(rest);
        }
        if (argv.isEmpty()) {
            throw new DockerfileException(line, "RUN takes a command");
        }
        // the command sees the build's ARGs and the ENVs so far, ENV winning, as in Docker's builder
        Map<String, String> runEnv = new LinkedHashMap<>(args);
        runEnv.putAll(env);
        steps.add(new BuildPlan.Run(line, argv, runEnv, workdir));
    }

    private List<String> command(int line, String keyword, String rest) {
        List<String> argv = execForm(rest);
        if (argv != null) {
            return argv;
        }
        if (rest.isBlank()) {
            throw new DockerfileException(line, keyword + " takes a command");
        }
        List<String> shell = new ArrayList<>(SHELL);
        shell.add(rest);
        return shell;
    }

    private void workdir(int line, String rest) {
        String path = substitute(line, rest);
        if (path.isBlank()) {
            throw new DockerfileException(line, "WORKDIR takes a path");
        }
        workdir = resolve(path);
        workdirSet = true;
        steps.add(new BuildPlan.Workdir(line, workdir));
    }

    private void user(int line, String rest) {
        String value = substitute(line, rest);
        if (value.isBlank() || value.chars().anyMatch(Character::isWhitespace)) {
            throw new DockerfileException(line, "USER takes one user[:group]");
        }
        user = value;
    }

    private void expose(int line, String rest) {
        for (String word : words(line, substitute(line, rest))) {
            Matcher port = PORT.matcher(word);
            if (!port.matches() || Integer.parseInt(port.group(1)) < 1 || Integer.parseInt(port.group(1)) > 65535) {
                throw new DockerfileException(line, "EXPOSE takes ports as number[/tcp|/udp], not \"" + word + "\"");
            }
            String value = port.group(1) + "/" + (port.group(3) == null ? "tcp" : port.group(3));
            if (!exposed.contains(value)) {
                exposed.add(value);
            }
        }
    }

    private void copy(int line, String keyword, String rest) {
        String owner = null;
        // options come first, in either form: COPY --chown=1000 ["a b", "/c/"]
        while (rest.startsWith("--")) {
            int end = 0;
            while (end < rest.length() && !Character.isWhitespace(rest.charAt(end))) {
                end++;
            }
            String option = rest.substring(0, end);
            rest = rest.substring(end).strip();
            if (option.startsWith("--chown=")) {
                owner = substitute(line, option.substring("--chown=".length()));
            } else if (option.startsWith("--from")) {
                throw new DockerfileException(line, keyword + " --from needs another stage: multi-stage builds are "
                        + "not supported");
            } else {
                throw new DockerfileException(line, keyword + " option " + option + " is not supported");
            }
        }
        List<String> words = execForm(rest);
        if (words == null) {
            words = words(line, rest);
        }
        if (words.size() < 2) {
            throw new DockerfileException(line, keyword + " takes one or more sources and a destination");
        }
        List<String> sources = new ArrayList<>();
        for (String source : words.subList(0, words.size() - 1)) {
            String path = substitute(line, source);
            if (keyword.equals("ADD") && path.matches("(?i)[a-z][a-z0-9+.-]*://.*")) {
                throw new DockerfileException(line, "ADD of a URL is not supported: a build has no network for it");
            }
            sources.add(path);
        }
        String destination = substitute(line, words.get(words.size() - 1));
        String absolute = resolve(destination);
        if (destination.endsWith("/") && !absolute.endsWith("/")) {
            absolute = absolute + "/";
        }
        steps.add(new BuildPlan.Copy(line, sources, absolute, owner));
    }

    /** A path against the WORKDIR so far, made absolute and clean. */
    private String resolve(String path) {
        String joined = path.startsWith("/") ? path : (workdir.endsWith("/") ? workdir : workdir + "/") + path;
        List<String> parts = new ArrayList<>();
        for (String part : joined.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
                continue;
            }
            parts.add(part);
        }
        return "/" + String.join("/", parts);
    }

    /** The JSON array of an exec form, or null when the text is not one (then it is a shell form). */
    private static List<String> execForm(String rest) {
        if (!rest.startsWith("[")) {
            return null;
        }
        try {
            return JSON.readValue(rest, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException notJson) {
            return null;
        }
    }

    /** The text with {@code $NAME}, {@code ${NAME}}, {@code ${NAME:-word}} and {@code ${NAME:+word}} replaced. */
    String substitute(int line, String text) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            if (out.length() > MAX_VALUE) {
                throw new DockerfileException(line, "a value is longer than " + MAX_VALUE / 1024 + " KiB after substitution");
            }
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) == '$') {
                out.append('$');
                i += 2;
                continue;
            }
            if (c != '$' || i + 1 >= text.length()) {
                out.append(c);
                i++;
                continue;
            }
            if (text.charAt(i + 1) == '{') {
                int close = text.indexOf('}', i + 2);
                if (close < 0) {
                    throw new DockerfileException(line, "missing } in \"" + text + "\"");
                }
                out.append(expand(line, text.substring(i + 2, close)));
                i = close + 1;
                continue;
            }
            int end = i + 1;
            while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) {
                end++;
            }
            if (end == i + 1) {
                out.append(c);
                i++;
                continue;
            }
            String value = value(text.substring(i + 1, end));
            out.append(value == null ? "" : value);
            i = end;
        }
        if (out.length() > MAX_VALUE) {
            throw new DockerfileException(line, "a value is longer than " + MAX_VALUE / 1024 + " KiB after substitution");
        }
        substituted += out.length();
        if (substituted > MAX_SUBSTITUTED) {
            throw new DockerfileException(line, "the Dockerfile's values come to more than " + MAX_SUBSTITUTED / (1024 * 1024)
                    + " MiB after substitution");
        }
        return out.toString();
    }

    private String expand(int line, String expression) {
        for (String operator : List.of(":-", ":+", "-", "+")) {
            int at = expression.indexOf(operator);
            if (at > 0 && NAME.matcher(expression.substring(0, at)).matches()) {
                String value = value(expression.substring(0, at));
                String word = substitute(line, expression.substring(at + operator.length()));
                return switch (operator) {
                    case ":-" -> value == null || value.isEmpty() ? word : value;
                    case ":+" -> value == null || value.isEmpty() ? "" : word;
                    case "-" -> value == null ? word : value;
                    default -> value == null ? "" : word;
                };
            }
        }
        if (!NAME.matcher(expression).matches()) {
            throw new DockerfileException(line, "unsupported substitution ${" + expression + "}");
        }
        String value = value(expression);
        return value == null ? "" : value;
    }

    private String value(String name) {
        return env.containsKey(name) ? env.get(name) : args.get(name);
    }

    /** Words split on whitespace, quotes and backslash escapes kept as a shell's would be (variables left alone). */
    static List<String> words(int line, String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < text.length()
                        && (text.charAt(i + 1) == '"' || text.charAt(i + 1) == '\\')) {
                    word.append(text.charAt(++i));
                } else {
                    word.append(c);
                }
                continue;
            }
            if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) != '$') {
                word.append(text.charAt(++i));
            } else {
                word.append(c);
            }
        }
        if (quote != 0) {
            throw new DockerfileException(line, "unterminated quote");
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** A Dockerfile the builder cannot take: {@code line} is 1-based, 0 for the whole file. */
    public static final class DockerfileException extends IllegalArgumentException {

        private final int line;

        public DockerfileException(int line, String message) {
            super(line > 0 ? "Dockerfile line " + line + ": " + message : "Dockerfile: " + message);
            this.line = line;
        }

        public int line() {
            return line;
        }
    }
}
