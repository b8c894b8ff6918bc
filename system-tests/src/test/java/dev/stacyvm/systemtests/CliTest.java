package dev.stacyvm.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line (`./stacyvm spawn|ls|exec|cp|...`, module cli) run as its own process against
 * the suite, as a user runs it: exit statuses, streamed output, copies both ways, JSON for scripts,
 * and the commands that run until interrupted (events, top), as background processes.
 */
class CliTest {

    private static final String JAVA = System.getProperty("stacyvm.java", "java");
    private static final String CLASSPATH = System.getProperty("stacyvm.cli-classpath", "");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String user = "cli-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<String> made = new ArrayList<>();
    private final List<Follower> following = new ArrayList<>();
    private final Suite.Keys keys = new Suite.Keys();

    @TempDir
    Path temp;

    private record Run(int exit, String stdout, String stderr) {
    }

    /** The CLI as {@code ./stacyvm} runs it (cmd_cli): the client compiler alone starts it sooner. */
    private ProcessBuilder command(Map<String, String> environment, String... args) {
        List<String> command = new ArrayList<>(List.of(JAVA, "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", CLASSPATH, "dev.stacyvm.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("STACYVM_URL");
        builder.environment().remove("STACYVM_API_KEY");
        builder.environment().put("HOME", temp.toString());
        builder.environment().putAll(environment);
        return builder;
    }

    private Run cli(Map<String, String> environment, String... args) throws Exception {
        return cliReading(null, environment, args);
    }

    /** Runs the CLI with {@code input} as its stdin (a file, so it ends), or a pipe nobody writes to when null. */
    private Run cliReading(String input, Map<String, String> environment, String... args) throws Exception {
        Path out = temp.resolve("out-" + UUID.randomUUID());
        Path err = temp.resolve("err-" + UUID.randomUUID());
        ProcessBuilder builder = command(environment, args).redirectOutput(out.toFile()).redirectError(err.toFile());
        if (input != null) {
            builder.redirectInput(Files.writeString(temp.resolve("in-" + UUID.randomUUID()), input).toFile());
        }
        Process process = builder.start();
        try {
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the CLI finished: " + String.join(" ", args));
        } finally {
            process.destroyForcibly();
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** A CLI command that runs until stopped (events), in the background, its output going to files. */
    private record Follower(String name, Process process, Path out, Path err) {

        String stdout() throws IOException {
            return Files.readString(out);
        }

        String stderr() throws IOException {
            return Files.readString(err);
        }

        /** Waits until a line of its stdout (or stderr) matches, or fails the test after {@code seconds}. */
        void awaitLine(boolean onStderr, Predicate<String> wanted, int seconds, String what) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                if ((onStderr ? stderr() : stdout()).lines().anyMatch(wanted)) {
                    return;
                }
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(200);
            }
            fail(name + " printed " + what + " within " + seconds + " s (alive: " + process.isAlive() + ")\nstdout:\n"
                    + stdout() + "\nstderr:\n" + stderr());
        }

        /** Stops it as Ctrl-C does (SIGTERM runs the same shutdown hooks) and waits for it to end. */
        void stop() throws Exception {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail(name + " ended within 20 s of SIGTERM");
            }
        }
    }

    /** Starts {@code events ...} as this test's user and waits until its stream is open, so it misses nothing after. */
    private Follower follow(String... args) throws Exception {
        String name = String.join(" ", args);
        Path out = temp.resolve("follow-out-" + UUID.randomUUID());
        Path err = temp.resolve("follow-err-" + UUID.randomUUID());
        Process process = command(Map.of("STACYVM_URL", Suite.URL, "STACYVM_API_KEY", Suite.API_KEY, "STACYVM_USER_ID", user),
                args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        Follower follower = new Follower(name, process, out, err);
        following.add(follower);
        follower.awaitLine(true, line -> line.startsWith("stacyvm: following events"), 60, "that it follows");
        return follower;
    }

    /** The sandbox's lines of a human events output, each split into time, type, sandbox and detail. */
    private static List<String[]> eventLines(String output, String sandbox) {
        return output.lines().map(line -> line.split("\\s+", 4)).filter(cells -> cells.length >= 3 && cells[2].equals(sandbox))
                .toList();
    }

    /** The sandbox's events of a --json events output, in order. */
    private static List<JsonNode> jsonEvents(String output, String sandbox) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        for (String line : output.lines().toList()) {
            JsonNode event = JSON.readTree(line);
            if (sandbox.equals(event.path("sandbox_id").asText())) {
                events.add(event);
            }
        }
        return events;
    }

    private Run cli(String... args) throws Exception {
        return cli(Map.of("STACYVM_URL", Suite.URL, "STACYVM_API_KEY", Suite.API_KEY, "STACYVM_USER_ID", user), args);
    }

    private String spawn(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("spawn", "--json", "--ttl", "10m"));
        args.addAll(List.of(options));
        Run run = cli(args.toArray(String[]::new));
        assertEquals(0, run.exit(), run.stderr());
        String id = JSON.readTree(run.stdout()).get("id").asText();
        made.add(id);
        return id;
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (Follower follower : following) {
            follower.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        made.forEach(id -> Suite.api().delete("/sandboxes/{id}", id));
        keys.close();
    }

    @Test
    void execStreamsOutputAndPassesTheExitStatusThrough() throws Exception {
        String id = spawn("--meta", "made-by=cli");
        Run listed = cli("ls");
        assertEquals(0, listed.exit());
        assertTrue(listed.stdout().startsWith("ID "), listed.stdout());
        assertTrue(listed.stdout().contains(id + "  running"), listed.stdout());

        Run shell = cli("exec", id, "--", "echo out; echo err >&2; exit 7");
        assertEquals(new Run(7, "out\n", "err\n"), shell);
        Run argv = cli("exec", id, "--env", "GREETING=hi", "--", "printf", "%s|", "two words", "$GREETING");
        assertEquals(new Run(0, "two words|$GREETING|", ""), argv);
        Run timedOut = cli("exec", id, "--timeout", "1s", "--", "sleep 30");
        assertEquals(124, timedOut.exit());
        assertTrue(timedOut.stderr().contains("timed out"), timedOut.stderr());

        JsonNode json = JSON.readTree(cli("exec", id, "--json", "--", "echo $((6 * 7))").stdout());
        assertEquals("42\n", json.get("stdout").asText());
        assertEquals(0, json.get("exit_code").asInt());
    }

    @Test
    void shellRunsWhatStdinSaysAndPassesTheExitStatusThrough() throws Exception {
        // a key of its own: exec sockets are counted per key, and other tests hold the suite's
        Map<String, String> asUser = Map.of("STACYVM_URL", Suite.URL, "STACYVM_API_KEY", keys.issue("default", "user"));
        Run spawned = cli(asUser, "spawn", "--ttl", "10m");
        assertEquals(0, spawned.exit(), spawned.stderr());
        String id = spawned.stdout().strip();
        made.add(id);

        // stdin is no terminal: the login shell reads it to its end, stdout and stderr apart
        Run piped = cliReading("echo $((6 * 7)); echo oops >&2; exit 3\n", asUser, "shell", id);
        assertEquals(new Run(3, "42\n", "oops\n"), piped);
        Run toEnd = cliReading("abc\0\u00ff", asUser, "shell", id, "--command", "od -An -c; pwd; echo $GREETING", "--workdir",
                "/tmp", "--env", "GREETING=hi");
        assertEquals(0, toEnd.exit(), toEnd.stderr());
        assertTrue(toEnd.stdout().matches("(?s)\\s*a\\s+b\\s+c\\s+\\\\0\\s+303\\s+277\\s*\n/tmp\nhi\n"), toEnd.stdout());

        // -t: a remote terminal all the same, of the size asked for, that echoes what it is sent
        Run onTerminal = cliReading("stty size; tty; exit 4\n", asUser, "shell", id, "-t", "--cols", "100", "--rows", "30");
        assertEquals(4, onTerminal.exit(), onTerminal.stdout() + onTerminal.stderr());
        assertTrue(onTerminal.stdout().contains("30 100\r\n"), onTerminal.stdout());
        assertTrue(onTerminal.stdout().contains("/dev/pts/"), onTerminal.stdout());

        Run gone = cliReading("", asUser, "shell", "sb-000000000000");
        assertEquals(1, gone.exit());
        assertTrue(gone.stderr().startsWith("stacyvm: not_found: "), gone.stderr());
        Run badSize = cliReading("", asUser, "shell", id, "--cols", "0");
        assertEquals(2, badSize.exit());
        assertTrue(badSize.stderr().startsWith("stacyvm: --cols and --rows are 1 to 1000"), badSize.stderr());
        Run badTimeout = cliReading("", asUser, "shell", id, "--timeout", "soon");
        assertEquals(1, badTimeout.exit());
        assertTrue(badTimeout.stderr().startsWith("stacyvm: bad_request: "), badTimeout.stderr());
    }

    @Test
    void cpCopiesFilesAndFoldersBothWays() throws Exception {
        String id = spawn();
        Path tree = Files.createDirectories(temp.resolve("tree/sub"));
        Files.writeString(tree.resolve("a.txt"), "in a folder\n");
        Files.writeString(temp.resolve("tree/top.txt"), "top\n");
        Path single = Files.writeString(temp.resolve("single.txt"), "just one\n");

        assertEquals(0, cli("cp", temp.resolve("tree").toString(), id + ":/workspace/tree").exit());
        assertEquals(0, cli("cp", single.toString(), id + ":/workspace/renamed.txt").exit());
        assertEquals(0, cli("cp", single.toString(), id + ":/workspace/tree").exit());
        assertEquals("in a folder\njust one\njust one\n",
                cli("exec", id, "cat /workspace/tree/sub/a.txt /workspace/renamed.txt /workspace/tree/single.txt").stdout());

        Path back = temp.resolve("back");
        assertEquals(0, cli("cp", id + ":/workspace/tree", back.toString()).exit());
        assertEquals("in a folder\n", Files.readString(back.resolve("sub/a.txt")));
        assertEquals("top\n", Files.readString(back.resolve("top.txt")));
        assertEquals(0, cli("cp", id + ":/workspace/renamed.txt", back.toString()).exit());
        assertEquals("just one\n", Files.readString(back.resolve("renamed.txt")));

        Run neither = cli("cp", single.toString(), temp.resolve("other").toString());
        assertEquals(2, neither.exit());
        assertTrue(neither.stderr().contains("one side is ID:/path"), neither.stderr());
    }

    @Test
    void errorsSayTheirCodeAndSetTheExitStatus() throws Exception {
        String id = spawn();
        assertEquals(0, cli("rm", id).exit());
        Run gone = cli("show", id);
        assertEquals(1, gone.exit());
        assertTrue(gone.stderr().startsWith("stacyvm: not_found: "), gone.stderr());

        Run wrongKey = cli(Map.of("STACYVM_URL", Suite.URL, "STACYVM_API_KEY", "svm_wrong"), "ls");
        assertEquals(1, wrongKey.exit());
        assertTrue(wrongKey.stderr().startsWith("stacyvm: unauthorized: "), wrongKey.stderr());

        Run unknown = cli("frobnicate");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.stderr().contains("unknown command"), unknown.stderr());
        assertEquals(2, cli("spawn", "--memory", "lots").exit());
    }

    @Test
    void settingsComeFromAConfigFileWhenFlagsAndEnvironmentSayNothing() throws Exception {
        Path config = Files.writeString(temp.resolve("config"), "# written by the test\nurl=" + Suite.URL
                + "\napi_key=" + Suite.API_KEY + "\nuser=" + user + "\n");
        Run listed = cli(Map.of("STACYVM_CONFIG", config.toString()), "ls", "--json");
        assertEquals(0, listed.exit(), listed.stderr());
        assertTrue(JSON.readTree(listed.stdout()).isArray());
        Run flagWins = cli(Map.of("STACYVM_CONFIG", config.toString()), "ls", "--api-key", "svm_wrong");
        assertEquals(1, flagWins.exit());
    }

    @Test
    void anAdminManagesKeysAndReadsTheAuditLog() throws Exception {
        String id = spawn();
        JsonNode key = JSON.readTree(cli("keys", "create", "cli-" + user, "--role", "viewer", "--json").stdout());
        String secret = key.get("key").asText();
        Run asViewer = cli(Map.of("STACYVM_URL", Suite.URL, "STACYVM_API_KEY", secret), "spawn");
        assertEquals(1, asViewer.exit());
        assertTrue(asViewer.stderr().startsWith("stacyvm: forbidden: "), asViewer.stderr());
        assertTrue(cli("keys", "ls").stdout().contains(key.get("id").asText()));
        assertEquals(0, cli("keys", "revoke", key.get("id").asText()).exit());
        assertEquals(1, cli(Map.of("STACYVM_URL", Suite.URL, "STACYVM_API_KEY", secret), "ls").exit());

        // the audit log is fed from Kafka: the record arrives within moments
        JsonNode audit = JSON.readTree("[]");
        for (int attempt = 0; attempt < 30 && audit.isEmpty(); attempt++) {
            audit = JSON.readTree(cli("audit", "--json", "--action", "sandbox.create", "--target", id).stdout());
            if (audit.isEmpty()) {
                Thread.sleep(1000);
            }
        }
        assertEquals(1, audit.size(), audit.toString());
        assertEquals("success", audit.get(0).get("outcome").asText());
        assertFalse(cli("audit", "--limit", "3").stdout().isBlank());
    }

    @Test
    void eventsFollowASandboxFromSpawnToRemovalAndGoOnWhereTheyStopped() throws Exception {
        Follower everything = follow("events");
        Follower someTypes = follow("events", "--json", "--type", "sandbox.created", "--type", "sandbox.destroyed");
        String id = spawn();
        assertEquals(0, cli("rm", id).exit());
        everything.awaitLine(false, line -> line.contains(id) && line.contains("sandbox.destroyed"), 60, id + "'s removal");
        someTypes.awaitLine(false, line -> line.contains(id) && line.contains("sandbox.destroyed"), 60, id + "'s removal");
        everything.stop();
        someTypes.stop();

        List<String[]> lines = eventLines(everything.stdout(), id).stream()
                .filter(cells -> !cells[1].equals("sandbox.progress")).toList();
        assertEquals(List.of("sandbox.created", "sandbox.running", "sandbox.destroying", "sandbox.destroyed"),
                lines.stream().map(cells -> cells[1]).toList(), everything.stdout());
        assertTrue(lines.get(0)[3].startsWith("-> creating  image "), lines.get(0)[3]);
        assertEquals("creating -> running", lines.get(1)[3]);
        assertEquals("destroying -> destroyed  (requested)", lines.get(3)[3]);
        assertTrue(lines.get(0)[0].matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), lines.get(0)[0]);

        for (String line : someTypes.stdout().lines().toList()) {
            assertTrue(List.of("sandbox.created", "sandbox.destroyed").contains(JSON.readTree(line).get("type").asText()), line);
        }
        List<JsonNode> json = jsonEvents(someTypes.stdout(), id);
        assertEquals(List.of("sandbox.created", "sandbox.destroyed"), json.stream().map(event -> event.get("type").asText()).toList());
        assertEquals("destroyed", json.get(1).get("data").get("to_state").asText());

        // stopped (as by Ctrl-C), it says where to go on; going on from there shows what happened since, and only that
        Matcher hint = Pattern.compile("stacyvm: stopped; go on with --since-id (\\S+)").matcher(everything.stderr());
        assertTrue(hint.find(), everything.stderr());
        String second = spawn();
        assertEquals(0, cli("rm", second).exit());
        Follower resumed = follow("events", "--json", "--since-id", hint.group(1));
        resumed.awaitLine(false, line -> line.contains(second) && line.contains("sandbox.destroyed"), 60, second + "'s removal");
        resumed.stop();
        assertEquals(List.of("sandbox.created", "sandbox.running", "sandbox.destroying", "sandbox.destroyed"),
                jsonEvents(resumed.stdout(), second).stream().map(event -> event.get("type").asText())
                        .filter(type -> !type.equals("sandbox.progress")).toList(), resumed.stdout());
        assertEquals(List.of(), jsonEvents(resumed.stdout(), id), "nothing from before the cursor is repeated");

        Run unknownType = cli("events", "--type", "sandbox.exploded");
        assertEquals(2, unknownType.exit());
        Run badCursor = cli("events", "--since-id", "not-a-cursor");
        assertEquals(1, badCursor.exit());
        assertTrue(badCursor.stderr().startsWith("stacyvm: bad_request: "), badCursor.stderr());
    }

    @Test
    void topOncePrintsTheStatsOfRunningSandboxes() throws Exception {
        String id = spawn("--memory", "256");
        Run named = cli("top", "--once", id);
        assertEquals(0, named.exit(), named.stderr());
        List<String> lines = named.stdout().lines().toList();
        assertEquals(2, lines.size(), named.stdout());
        assertTrue(lines.get(0).matches("ID +CPU% +MEM USED/LIMIT +DISK USED/LIMIT +PIDS +NET RX/TX"), lines.get(0));
        assertTrue(lines.get(1).matches(Pattern.quote(id) + " +\\d+\\.\\d +\\S+ / 256MiB +\\S+( / \\S+)? +\\d+ / \\d+ +\\S+ / \\S+"),
                lines.get(1));

        // without ids: every running sandbox of the caller's
        JsonNode all = JSON.readTree(cli("top", "--once", "--json").stdout());
        JsonNode mine = null;
        for (JsonNode stats : all) {
            if (id.equals(stats.get("sandbox_id").asText())) {
                mine = stats;
            }
        }
        assertTrue(mine != null, all.toString());
        assertEquals(256L * 1024 * 1024, mine.get("mem_limit_bytes").asLong());
        assertTrue(mine.get("pids").asLong() >= 1, mine.toString());

        assertEquals(0, cli("rm", id).exit());
        Run gone = cli("top", "--once", id);
        assertEquals(1, gone.exit());
        assertTrue(gone.stderr().startsWith("stacyvm: " + id + ": "), gone.stderr());
        assertFalse(gone.stdout().contains(id), gone.stdout());
    }
}
