package dev.stacyvm.worker.provider.mock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.error.RuntimeNotFoundException;
import dev.stacyvm.worker.provider.CommandResult;
import dev.stacyvm.worker.provider.ExecCommand;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.InteractiveExec;
import dev.stacyvm.worker.provider.TerminalSize;
import dev.stacyvm.worker.provider.docker.HardenedContainers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a client of a mock sandbox sees: its files, its built-in commands, its prompt. */
class MockSandboxProviderTest {

    private static final String SANDBOX = "sb-0123456789ab";
    private final MockSandboxProvider mock = new MockSandboxProvider();

    private void create(int diskMb) {
        mock.create(new RuntimeSpec(SANDBOX, "default:alice", "stacyvm/base:bookworm", 256, 1, Map.of("GREETING", "hi there"),
                "none", List.of(), 64, false, false, diskMb, null, null, null, false, null, "mock"), "worker-1");
    }

    private record Ran(int exit, String stdout, String stderr, boolean timedOut) {
    }

    private Ran shell(String line) {
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        ExecOutcome outcome = mock.exec(SANDBOX, new ExecCommand(List.of("/bin/sh", "-c", line), Map.of(), null,
                Duration.ofSeconds(5)), (stream, data) -> ("stdout".equals(stream) ? out : err).append(data));
        return new Ran(outcome.exitCode(), out.toString(), err.toString(), outcome.timedOut());
    }

    private CommandResult files(String operation, byte[] input, ByteArrayOutputStream output, String... arguments) {
        List<String> argv = new ArrayList<>(List.of(HardenedContainers.AGENT_PATH, "files", operation));
        argv.addAll(List.of(arguments));
        return mock.run(SANDBOX, argv, input == null ? null : new ByteArrayInputStream(input), output, Duration.ofSeconds(5));
    }

    @Test
    void aFileWrittenThroughTheFilesOperationsIsReadListedAndStattedAsTheAgentAnswers() {
        create(64);
        assertEquals(0, files("write", "hello".getBytes(StandardCharsets.UTF_8), null, "/workspace/app/hello.txt", "640").exitCode(),
                "missing parents are made");
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        assertEquals(0, files("read", null, read, "/workspace/app/hello.txt").exitCode());
        assertEquals("hello", read.toString(StandardCharsets.UTF_8));
        ByteArrayOutputStream stat = new ByteArrayOutputStream();
        files("stat", null, stat, "/workspace/app/hello.txt");
        assertTrue(stat.toString(StandardCharsets.UTF_8).matches("5\\|81a0\\|\\d+\\|640\n"), "size|mode|mtime|perm: " + stat);
        files("write", new byte[0], null, "/workspace/app/.hidden", "644");
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        files("list", null, list, "/workspace/app");
        String[] records = list.toString(StandardCharsets.UTF_8).split("\0");
        assertEquals(2, records.length, list.toString(StandardCharsets.UTF_8));
        assertTrue(records[0].endsWith("|hello.txt\n") && records[1].endsWith("|.hidden\n"), "names without a dot first");
        assertEquals(MemoryFiles.NOT_FOUND, files("read", null, new ByteArrayOutputStream(), "/workspace/missing").exitCode());
        assertEquals(MemoryFiles.IS_DIRECTORY, files("read-check", null, null, "/workspace/app").exitCode());
        assertEquals(MemoryFiles.NOT_DIRECTORY, files("write", new byte[1], null, "/workspace/app/hello.txt/x", "644").exitCode());
    }

    @Test
    void moveChmodDeleteAndFindBehaveAsTheAgentsDo() {
        create(64);
        files("write", "a".getBytes(StandardCharsets.UTF_8), null, "/workspace/src/a.txt", "644");
        files("write", new byte[0], null, "/workspace/dest/keep", "644");
        assertEquals(0, files("move", null, null, "/workspace/src", "/workspace/dest").exitCode(), "into an existing directory");
        assertEquals(0, files("read-check", null, null, "/workspace/dest/src/a.txt").exitCode());
        assertEquals(MemoryFiles.NOT_FOUND, files("read-check", null, null, "/workspace/src/a.txt").exitCode());
        assertEquals(0, files("chmod", null, null, "/workspace/dest/src/a.txt", "600").exitCode());
        ByteArrayOutputStream found = new ByteArrayOutputStream();
        files("find", null, found, "/workspace/dest");
        assertEquals(List.of("/workspace/dest/keep", "/workspace/dest/src", "/workspace/dest/src/a.txt"),
                List.of(found.toString(StandardCharsets.UTF_8).split("\0")));
        assertEquals(MemoryFiles.NOT_EMPTY, files("delete", null, null, "/workspace/dest", "false").exitCode());
        assertEquals(0, files("delete", null, null, "/workspace/dest", "true").exitCode());
        assertEquals(0, mock.diskUsedBytes(SANDBOX), "nothing is held once everything is deleted");
        assertThrows(InvalidRequestException.class, () -> files("archive-read", null, new ByteArrayOutputStream(), "/workspace"));
    }

    @Test
    void aWritePastTheDiskLimitIsRefusedWholeAndLeavesWhatWasThere() {
        create(1);
        assertEquals(0, files("write", new byte[600 * 1024], null, "/workspace/first", "644").exitCode());
        assertEquals(MemoryFiles.DISK_FULL, files("write", new byte[600 * 1024], null, "/workspace/second", "644").exitCode());
        assertEquals(MemoryFiles.NOT_FOUND, files("read-check", null, null, "/workspace/second").exitCode(), "nothing half-written");
        assertEquals(600 * 1024, mock.diskUsedBytes(SANDBOX));
        assertEquals(0, files("write", new byte[900 * 1024], null, "/workspace/first", "644").exitCode(),
                "replacing a file frees its old bytes first");
    }

    @Test
    void theShellJoinsCommandsExpandsTheEnvironmentAndRedirectsIntoFiles() {
        create(64);
        Ran written = shell("echo \"$GREETING\" > note.txt && echo more >> note.txt; cat /workspace/note.txt");
        assertEquals(new Ran(0, "hi there\nmore\n", "", false), written);
        assertEquals(new Ran(1, "fallback\n", "", false), shell("false || echo fallback; false"));
        assertEquals(new Ran(0, "", "to stderr\n", false), shell("echo 'to stderr' >&2"));
        assertEquals(new Ran(0, "/workspace\nnote.txt\n", "", false), shell("pwd; ls"));
        Ran unknown = shell("python3 -c 'print(1)'");
        assertEquals(127, unknown.exit());
        assertTrue(unknown.stderr().contains("python3: command not found"), unknown.stderr());
        assertEquals(new Ran(7, "", "", false), shell("exit 7; echo never"));
    }

    @Test
    void aSleepPastTheTimeoutEndsAsTimedOut() {
        create(64);
        ExecOutcome outcome = mock.exec(SANDBOX, new ExecCommand(List.of("sleep", "60"), Map.of(), null, Duration.ofMillis(300)),
                (stream, data) -> { });
        assertTrue(outcome.timedOut());
        assertEquals(MockShell.KILLED, outcome.exitCode());
        assertTrue(outcome.took().compareTo(Duration.ofSeconds(5)) < 0, outcome.toString());
    }

    @Test
    void aTerminalShellIsAPromptThatRunsEachLineAndEndsAtExit() throws Exception {
        create(64);
        try (InteractiveExec exec = mock.openInteractive(SANDBOX, new ExecCommand(List.of("/bin/bash"), Map.of(), null,
                Duration.ofSeconds(10)), new TerminalSize(80, 24))) {
            exec.write("echo hi\r".getBytes(StandardCharsets.UTF_8));
            exec.write("exit 4\r".getBytes(StandardCharsets.UTF_8));
            StringBuilder screen = new StringBuilder();
            ExecOutcome outcome = exec.relay((stream, data) -> screen.append(new String(data, StandardCharsets.UTF_8)));
            assertEquals(4, outcome.exitCode(), screen.toString());
            assertEquals("$ echo hi\r\nhi\r\n$ exit 4\r\n", screen.toString(), "echoed as typed, lines ended CR LF");
        }
    }

    @Test
    void sandboxesAreListedForTheirWorkerAndGoneOnceDestroyed() {
        create(64);
        assertEquals(1, mock.runtimes("worker-1").size());
        assertTrue(mock.runtimes("worker-2").isEmpty(), "another worker's are not its");
        assertTrue(mock.holds(SANDBOX));
        mock.destroy(SANDBOX);
        mock.destroy(SANDBOX);
        assertFalse(mock.holds(SANDBOX));
        assertThrows(RuntimeNotFoundException.class, () -> shell("true"));
        assertThrows(RuntimeNotFoundException.class, () -> files("read", null, new ByteArrayOutputStream(), "/workspace"));
    }
}
