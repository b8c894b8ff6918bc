package dev.stacyvm.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line (`./stacyvm spawn|ls|exec|cp|...`, module cli) run as its own process against
 * the suite, as a user runs it: exit statuses, streamed output, copies both ways, JSON for scripts.
 */
class CliTest {

    private static final String JAVA = System.getProperty("stacyvm.java", "java");
    private static final String CLASSPATH = System.getProperty("stacyvm.cli-classpath", "");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String user = "cli-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<String> made = new ArrayList<>();

    @TempDir
    Path temp;

    private record Run(int exit, String stdout, String stderr) {
    }

    private Run cli(Map<String, String> environment, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(JAVA, "-cp", CLASSPATH, "dev.stacyvm.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("STACYVM_URL");
        builder.environment().remove("STACYVM_API_KEY");
        builder.environment().put("HOME", temp.toString());
        builder.environment().putAll(environment);
        Path out = temp.resolve("out-" + UUID.randomUUID());
        Path err = temp.resolve("err-" + UUID.randomUUID());
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the CLI finished: " + String.join(" ", args));
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
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
    void cleanUp() {
        made.forEach(id -> Suite.api().delete("/sandboxes/{id}", id));
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
}
