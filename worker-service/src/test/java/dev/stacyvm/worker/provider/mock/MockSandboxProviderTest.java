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

    /** Each on a thread of its own: a blocked command must not hold up the test's other side. */
    private static <T> java.util.concurrent.CompletableFuture<T> async(java.util.function.Supplier<T> task) {
        return java.util.concurrent.CompletableFuture.supplyAsync(task, runnable -> Thread.ofVirtual().start(runnable));
    }

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
        long empty = mock.diskUsedBytes(SANDBOX);
        assertTrue(empty > 0, "its own directories are counted too");
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
        assertEquals(empty, mock.diskUsedBytes(SANDBOX), "nothing more is held once everything made is deleted");
        assertThrows(InvalidRequestException.class, () -> files("archive-read", null, new ByteArrayOutputStream(), "/workspace"));
    }

    @Test
    void aWritePastTheDiskLimitIsRefusedWholeAndLeavesWhatWasThere() {
        create(1);
        assertEquals(0, files("write", new byte[600 * 1024], null, "/workspace/first", "644").exitCode());
        assertEquals(MemoryFiles.DISK_FULL, files("write", new byte[600 * 1024], null, "/workspace/second", "644").exitCode());
        assertEquals(MemoryFiles.NOT_FOUND, files("read-check", null, null, "/workspace/second").exitCode(), "nothing half-written");
        long held = mock.diskUsedBytes(SANDBOX);
        assertTrue(held > 600 * 1024 && held < 600 * 1024 + 1024, "its bytes and its entry: " + held);
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

    @Test
    void entriesCostTooSoNeitherEmptyFilesNorDeepDirectoriesAreFree() {
        create(1);
        int written = 0;
        while (files("write", new byte[0], null, "/workspace/f" + written, "644").exitCode() == 0 && written < 20_000) {
            written++;
        }
        assertTrue(written > 1000 && written < MemoryFiles.MAX_NODES - 3,
                "empty files fill a 1 MiB budget long before the entry limit, after " + written);
        assertEquals(MemoryFiles.DISK_FULL, files("write", new byte[0], null, "/workspace/one-more", "644").exitCode());
        mock.destroy(SANDBOX);
        create(64);
        Ran deep = shell("mkdir -p /" + "a/".repeat(2000) + "b");
        assertEquals(1, deep.exit(), deep.toString());
        assertTrue(deep.stderr().contains("File name too long") || deep.stderr().contains("No space left"), deep.stderr());
        assertEquals(MemoryFiles.DENIED, files("write", new byte[0], null, "/" + "x".repeat(5000), "644").exitCode());
    }

    @Test
    void aRedirectionHoldsNoMoreThanTheSandboxHasRoomForAndDevNullHoldsNothing() {
        create(64);
        assertEquals(0, files("write", new byte[1024 * 1024], null, "/workspace/mb", "644").exitCode());
        Ran tooMuch = shell("cat mb mb mb mb > /workspace/copies");
        assertEquals(1, tooMuch.exit());
        assertTrue(tooMuch.stderr().contains("No space left on device"), tooMuch.stderr());
        assertEquals(MemoryFiles.NOT_FOUND, files("read-check", null, null, "/workspace/copies").exitCode(), "nothing written");
        long before = mock.diskUsedBytes(SANDBOX);
        assertEquals(new Ran(0, "", "", false), shell("cat " + "mb ".repeat(50) + "> /dev/null"));
        assertEquals(before, mock.diskUsedBytes(SANDBOX));
        Ran huge = mock.exec(SANDBOX, new ExecCommand(List.of("/bin/sh", "-c", "echo " + "$BIG ".repeat(100)),
                Map.of("BIG", "x".repeat(10_000)), null, Duration.ofSeconds(5)), (stream, data) -> { }).exitCode() == 126
                ? new Ran(126, "", "", false) : null;
        assertEquals(new Ran(126, "", "", false), huge, "a command's expanded words are capped, as an argument list is");
    }

    @Test
    void aRunningCommandEndsWhenItsSandboxIsDestroyedOrItsExecClosedOrSignalled() throws Exception {
        create(64);
        java.util.concurrent.CompletableFuture<ExecOutcome> sleeping = async(() -> mock.exec(SANDBOX, new ExecCommand(List.of("sleep", "600"), Map.of(), null, Duration.ofHours(1)),
                        (stream, data) -> { }));
        Thread.sleep(200);
        mock.destroy(SANDBOX);
        assertEquals(MockShell.KILLED, sleeping.get(5, java.util.concurrent.TimeUnit.SECONDS).exitCode(),
                "a destroy ends what runs in the sandbox");
        create(64);
        InteractiveExec closed = mock.openInteractive(SANDBOX, new ExecCommand(List.of("sleep", "infinity"), Map.of(), null,
                Duration.ofHours(1)), null);
        java.util.concurrent.CompletableFuture<ExecOutcome> relayed = async(() -> closed.relay((stream, data) -> { }));
        Thread.sleep(200);
        closed.close();
        assertEquals(MockShell.KILLED, relayed.get(5, java.util.concurrent.TimeUnit.SECONDS).exitCode());
        InteractiveExec signalled = mock.openInteractive(SANDBOX, new ExecCommand(List.of("sleep", "600"), Map.of(), null,
                Duration.ofHours(1)), null);
        java.util.concurrent.CompletableFuture<ExecOutcome> ended = async(() -> signalled.relay((stream, data) -> { }));
        Thread.sleep(200);
        assertThrows(InvalidRequestException.class, () -> signalled.signal("SIGBOGUS"));
        assertTrue(signalled.signal("sigterm"), "names as the agent reads them");
        assertEquals(143, ended.get(5, java.util.concurrent.TimeUnit.SECONDS).exitCode());
        signalled.close();
    }

    @Test
    void inputWaitsAsInAFullPipeAndAWriterLearnsWhenTheCommandEnded() throws Exception {
        create(64);
        InteractiveExec exec = mock.openInteractive(SANDBOX, new ExecCommand(List.of("sleep", "600"), Map.of(), null,
                Duration.ofHours(1)), null);
        java.util.concurrent.CompletableFuture<ExecOutcome> relayed = async(() -> exec.relay((stream, data) -> { }));
        java.util.concurrent.CompletableFuture<Integer> writer = async(() -> {
            int chunks = 0;
            try {
                while (chunks < 10_000) {
                    exec.write(new byte[1024]);
                    chunks++;
                }
            } catch (java.io.IOException ended) {
                return chunks;
            }
            return chunks;
        });
        Thread.sleep(500);
        assertFalse(writer.isDone(), "nothing reads the input: the writer waits");
        exec.close();
        assertEquals(MockInteractiveExec.INPUT_CHUNKS, writer.get(5, java.util.concurrent.TimeUnit.SECONDS),
                "it waited after the queue filled (16 pieces, 64 KiB at most), then learnt the command ended");
        relayed.get(5, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void readTakesALineOfInputAndACtrlDAtALinesStartEndsATerminalsInput() throws Exception {
        create(64);
        try (InteractiveExec exec = mock.openInteractive(SANDBOX, new ExecCommand(List.of("/bin/sh", "-c",
                "read NAME; echo \"hello $NAME\""), Map.of(), null, Duration.ofSeconds(10)), null)) {
            exec.write("world\n".getBytes(StandardCharsets.UTF_8));
            StringBuilder out = new StringBuilder();
            assertEquals(0, exec.relay((stream, data) -> out.append(new String(data, StandardCharsets.UTF_8))).exitCode());
            assertEquals("hello world\n", out.toString(), "each command expands just before it runs");
        }
        try (InteractiveExec exec = mock.openInteractive(SANDBOX, new ExecCommand(List.of("cat"), Map.of(), null,
                Duration.ofSeconds(10)), new TerminalSize(80, 24))) {
            exec.write("abc\r".getBytes(StandardCharsets.UTF_8));
            exec.endInput();
            StringBuilder screen = new StringBuilder();
            ExecOutcome outcome = exec.relay((stream, data) -> screen.append(new String(data, StandardCharsets.UTF_8)));
            assertEquals(0, outcome.exitCode(), "cat met the end of its input: " + screen);
            assertEquals("abc\r\nabc\r\n", screen.toString(), "echoed as typed, then copied");
        }
    }

    @Test
    void aWorkerHoldsAtMostSixteenMockSandboxes() {
        for (int i = 0; i < MockSandboxProvider.MAX_SANDBOXES; i++) {
            mock.create(new RuntimeSpec("sb-00000000%04d".formatted(i), "default:alice", "img", 256, 1, Map.of(), "none",
                    List.of(), 64, false, false, 0, null, null, null, false, null, "mock"), "worker-1");
        }
        assertThrows(dev.stacyvm.worker.error.WorkerUnavailableException.class, () -> create(64));
        mock.destroy("sb-000000000000");
        create(64);
        assertTrue(mock.holds(SANDBOX), "room again once one is gone");
    }

    @Test
    void movesTheAgentRefusesAreRefusedAndNamesAfterTheLastCharacterAreStillBelowTheirDirectory() {
        create(64);
        files("write", new byte[0], null, "/workspace/d/f", "644");
        files("write", new byte[0], null, "/workspace/file", "644");
        assertEquals(MemoryFiles.DENIED, files("move", null, null, "/workspace/d", "/workspace/file").exitCode(),
                "a directory onto a file");
        assertEquals(MemoryFiles.DENIED, files("move", null, null, "/workspace/file", "/workspace/file").exitCode(),
                "a file onto itself");
        assertEquals(MemoryFiles.DENIED, files("move", null, null, "/workspace/d", "/workspace/d/inner").exitCode(),
                "a directory into itself");
        assertEquals(MemoryFiles.NOT_REGULAR, files("delete", null, null, "/", "true").exitCode());
        String odd = "/workspace/d/\uffff\uffffz";
        files("write", new byte[0], null, odd, "644");
        assertEquals(0, files("delete", null, null, "/workspace/d", "true").exitCode());
        assertEquals(MemoryFiles.NOT_FOUND, files("read-check", null, null, odd).exitCode(), "deleted with its directory");
    }

    @Test
    void aCommandWaitingForInputPastItsTimeoutIsSaidToHaveTimedOut() throws Exception {
        create(64);
        try (InteractiveExec exec = mock.openInteractive(SANDBOX, new ExecCommand(List.of("/bin/sh", "-c",
                "cat > /workspace/partial"), Map.of(), null, Duration.ofMillis(500)), null)) {
            exec.write("some".getBytes(StandardCharsets.UTF_8));
            ExecOutcome outcome = exec.relay((stream, data) -> { });
            assertTrue(outcome.timedOut(), outcome.toString());
            assertEquals(MockShell.KILLED, outcome.exitCode());
        }
        assertEquals(MemoryFiles.NOT_FOUND, files("read-check", null, null, "/workspace/partial").exitCode(),
                "a command ended by its timeout leaves no half-written redirection");
    }

    @Test
    void outputGatheredForARedirectionCountsAgainstTheSandboxWhileItRuns() throws Exception {
        create(64);
        InteractiveExec exec = mock.openInteractive(SANDBOX, new ExecCommand(List.of("/bin/sh", "-c",
                "cat > /workspace/gathered"), Map.of(), null, Duration.ofSeconds(30)), null);
        java.util.concurrent.CompletableFuture<ExecOutcome> relayed = async(() -> exec.relay((stream, data) -> { }));
        for (int i = 0; i < 768; i++) {
            exec.write(new byte[4096]); // 3 MiB, gathered, not yet a file
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (files("write", new byte[2 * 1024 * 1024], null, "/workspace/other", "644").exitCode() == 0
                && System.nanoTime() < deadline) {
            files("delete", null, null, "/workspace/other", "false");
            Thread.sleep(20);
        }
        assertEquals(MemoryFiles.DISK_FULL, files("write", new byte[2 * 1024 * 1024], null, "/workspace/other", "644").exitCode(),
                "what the redirection holds is taken from the room");
        exec.close();
        relayed.get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(0, files("write", new byte[2 * 1024 * 1024], null, "/workspace/other", "644").exitCode(),
                "and given back when the command ends without writing it");
    }

    @Test
    void readStopsWhenTheShellsVariablesAreFullAndAHugeEnvironmentIsRefused() throws Exception {
        create(64);
        String line = "v".repeat(100_000) + "\n";
        try (InteractiveExec exec = mock.openInteractive(SANDBOX, new ExecCommand(List.of("/bin/sh", "-c",
                "read a && read b && read c && echo all three || echo refused"), Map.of(), null, Duration.ofSeconds(10)), null)) {
            java.util.concurrent.CompletableFuture<String> out = async(() -> {
                StringBuilder seen = new StringBuilder();
                exec.relay((stream, data) -> seen.append(new String(data, StandardCharsets.UTF_8)));
                return seen.toString();
            });
            for (int i = 0; i < 3; i++) {
                exec.write(line.getBytes(StandardCharsets.UTF_8));
            }
            assertEquals("refused\n", out.get(5, java.util.concurrent.TimeUnit.SECONDS),
                    "256 KiB of variables hold two lines of 100,000, not three");
        }
        assertThrows(InvalidRequestException.class, () -> shellWithEnv(Map.of("BIG", "x".repeat(300_000))));
    }

    private void shellWithEnv(Map<String, String> env) {
        mock.exec(SANDBOX, new ExecCommand(List.of("env"), env, null, Duration.ofSeconds(5)), (stream, data) -> { });
    }

    @Test
    void lsOfAWorkdirThatBecameAFileAnswersAsLsDoes() {
        create(64);
        Ran ran = shell("rm -r /workspace; echo x > /workspace; ls");
        assertEquals(new Ran(0, "/workspace\n", "", false), ran);
    }

    @Test
    void aPromptFloodedWithInputStillEndsAtASignal() throws Exception {
        create(64);
        InteractiveExec exec = mock.openInteractive(SANDBOX, new ExecCommand(List.of("bash"), Map.of(), null,
                Duration.ofSeconds(30)), new TerminalSize(80, 24));
        java.util.concurrent.CompletableFuture<ExecOutcome> relayed = async(() -> exec.relay((stream, data) -> {
            try {
                Thread.sleep(1); // a slow reader of the echo
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        java.util.concurrent.CompletableFuture<Void> flood = async(() -> {
            try {
                for (int i = 0; i < 64; i++) {
                    byte[] interrupts = new byte[4096];
                    java.util.Arrays.fill(interrupts, (byte) 3);
                    exec.write(interrupts);
                }
            } catch (java.io.IOException ended) {
                // the command ended while input was still coming
            }
            return null;
        });
        Thread.sleep(300);
        assertTrue(exec.signal("TERM"));
        assertEquals(143, relayed.get(5, java.util.concurrent.TimeUnit.SECONDS).exitCode());
        flood.get(5, java.util.concurrent.TimeUnit.SECONDS);
        exec.close();
    }
}
