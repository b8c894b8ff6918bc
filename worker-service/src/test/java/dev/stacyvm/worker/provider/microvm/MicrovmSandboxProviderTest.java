package dev.stacyvm.worker.provider.microvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.contract.api.SandboxDefaults;
import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.error.SandboxOperationException;
import dev.stacyvm.worker.provider.ExecCommand;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.ExecOutputSink;
import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.service.WorkerIdentity;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * What the microvm provider promises beyond the provider contract (docs/providers.md "microvm"):
 * each guest has its own identity (token, entropy, hostname, the host's clock) that never touches
 * the host's disk or a command line; it has loopback alone and no network device; it runs as the
 * sandbox user; and what it cannot run is refused before anything boots. Runs with the microvm
 * contract run.
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "stacyvm.provider-tck", matches = "true")
class MicrovmSandboxProviderTest {

    @Inject
    @io.smallrye.common.annotation.Identifier(MicrovmSandboxProvider.NAME)
    SandboxProvider microvm;

    @Inject
    WorkerIdentity identity;

    @Inject
    WorkerConfig config;

    private final List<String> made = new ArrayList<>();

    @AfterEach
    void destroy() {
        made.forEach(microvm::destroy);
    }

    private String shell(String id, String line) {
        StringBuilder out = new StringBuilder();
        ExecOutcome outcome = microvm.exec(id, new ExecCommand(List.of("/bin/sh", "-c", line), Map.of(), null, Duration.ofSeconds(60)),
                (stream, data) -> {
                    if (ExecOutputSink.STDOUT.equals(stream)) {
                        out.append(data);
                    }
                });
        assertEquals(0, outcome.exitCode(), line + ": " + out);
        return out.toString();
    }

    private static RuntimeSpec spec(String id, int memoryMb, String network) {
        return new RuntimeSpec(id, "microvm:test", SandboxDefaults.IMAGE, memoryMb, 1, Map.of("GREETING", "hello"), network, List.of(),
                128, false, false, 256, null, null, null, false, "runc", MicrovmSandboxProvider.NAME);
    }

    private String create() {
        String id = "sb-" + Long.toHexString(System.nanoTime());
        made.add(id);
        microvm.create(spec(id, 256, "none"), identity.id());
        return id;
    }

    @Test
    void twoGuestsHaveTheirOwnIdentityEntropyAndTheHostsClock() throws IOException {
        String first = create();
        String second = create();
        String a = shell(first, "hostname; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n'; echo; date +%s; id -u; echo $GREETING");
        String b = shell(second, "hostname; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n'; echo; date +%s; id -u; echo $GREETING");
        String[] linesA = a.split("\n");
        String[] linesB = b.split("\n");
        assertEquals(first, linesA[0], "its hostname is its id");
        assertEquals(second, linesB[0]);
        assertNotEquals(linesA[1], linesB[1], "their randomness differs");
        long now = Instant.now().getEpochSecond();
        assertTrue(Math.abs(Long.parseLong(linesA[2]) - now) < 30, "its clock is the host's: " + linesA[2] + " vs " + now);
        assertEquals(config.sandboxUser().split(":")[0], linesA[3], "it runs as the sandbox user");
        assertEquals("hello", linesA[4], "its environment is the create's");
        // the token reached the guest over the link alone: not on the host's disk beside the guest's
        // own files, nor on any command line of the host
        String token = Files.readString(Path.of(config.stateDir()).toAbsolutePath().resolve("microvm").resolve(first).resolve("token"))
                .strip();
        for (ProcessHandle process : ProcessHandle.allProcesses().toList()) {
            String cmdline = cmdline(process.pid());
            assertFalse(cmdline.contains(token), "a host command line holds the token: " + cmdline);
        }
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline")), StandardCharsets.UTF_8);
        } catch (IOException gone) {
            return "";
        }
    }

    @Test
    void aGuestHasLoopbackAloneAndNoNetworkDevice() {
        String id = create();
        assertEquals("bound\n", shell(id, "python3 -c \"import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen();"
                + " c = socket.create_connection(s.getsockname()); print('bound')\""));
        assertEquals("lo\n", shell(id, "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"), "its interfaces");
        assertEquals("", shell(id, "ls /sys/class/net | grep -v '^lo$' || true"), "no network device");
    }

    @Test
    void aSandboxUserCannotStandBetweenTheWorkerAndTheAgentNorGainPrivileges() {
        String id = create();
        // the agent's socket folder is root's once the agent listens: its socket cannot be replaced
        assertEquals("refused\n", shell(id, "mv /.stacyvm/run/agent.sock /tmp/stolen 2>/dev/null && echo moved || echo refused"));
        assertEquals("refused\n", shell(id, "touch /.stacyvm/run/fake.sock 2>/dev/null && echo made || echo refused"));
        // no setuid program or file capability takes effect, and the disk holds no usable device node
        assertEquals("NoNewPrivs:\t1\n", shell(id, "grep NoNewPrivs /proc/self/status"));
        String root = shell(id, "grep ' / ' /proc/mounts");
        assertTrue(root.contains("nosuid") && root.contains("nodev"), "the root disk: " + root);
        assertEquals("1\n", shell(id, "cat /proc/sys/kernel/modules_disabled"), "no module can be loaded");
        // what the commands above did still works: the agent answers, its log is the guest's console
        assertTrue(String.join("\n", microvm.logs(id, 50, 65536).lines()).contains("stacyvm: sandbox started"),
                "its log: " + microvm.logs(id, 50, 65536).lines());
    }

    @Test
    void aGuestWhoseLinkEndsIsLinkedAgainAndKeepsItsProcessesAndFiles() throws IOException {
        String id = create();
        shell(id, "echo kept > /workspace/note; (sleep 600 &) ; true");
        Path state = Path.of(config.stateDir()).toAbsolutePath().resolve("microvm").resolve(id).resolve("sandbox.json");
        long linkPid = new com.fasterxml.jackson.databind.ObjectMapper().readTree(state.toFile()).path("link_pid").asLong();
        ProcessHandle link = ProcessHandle.of(linkPid).orElseThrow();
        link.destroyForcibly();
        link.onExit().join();
        assertEquals("kept\n1\n", shell(id, "cat /workspace/note; for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done | grep -c '^sleep 600'"), "the same guest, relinked");
    }

    @Test
    void theSandboxUserIsHeldToItsDiskItsStatsSayHowMuchAndWhatItDeletesGoesBackToTheHost() {
        String id = "sb-" + Long.toHexString(System.nanoTime());
        made.add(id);
        microvm.create(new RuntimeSpec(id, "microvm:test", SandboxDefaults.IMAGE, 256, 1, Map.of(), "none", List.of(), 128, false, false,
                64, null, null, null, false, "runc", MicrovmSandboxProvider.NAME), identity.id());
        String out = shell(id, "dd if=/dev/zero of=/workspace/big bs=1M count=100 2>&1; du -sm /workspace/big | cut -f1");
        assertTrue(out.contains("Disk quota exceeded"), "a write past 64 MiB: " + out);
        String[] lines = out.strip().split("\n");
        assertTrue(Long.parseLong(lines[lines.length - 1]) <= 64, "what it kept: " + out);
        assertEquals(64L * 1024 * 1024, microvm.stats(id).diskLimitBytes(), "its limit");
        // what it deletes goes back to the host: writing and deleting in turn never grows its disk
        Path disk = Path.of(config.stateDir()).toAbsolutePath().resolve("microvm").resolve(id).resolve(MicrovmSandbox.DISK);
        long full = allocatedBytes(disk);
        shell(id, "rm /workspace/big; sync");
        long emptied = allocatedBytes(disk);
        assertTrue(full - emptied > 48L * 1024 * 1024, "the host got its blocks back: " + full + " then " + emptied + " bytes");
    }

    /** The blocks a file holds on the host's disk, bytes ({@code du}: a sparse file's holes hold none). */
    private static long allocatedBytes(Path file) {
        try {
            Process du = new ProcessBuilder("du", "--block-size=1", file.toString()).redirectErrorStream(true).start();
            String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(du.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && du.exitValue() == 0, "du: " + out);
            return Long.parseLong(out.split("\\s+")[0]);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aSnapshotThatCannotBeRestoredIsDiscardedAndItsSandboxBootsCold() throws IOException {
        create(); // the shape's snapshot exists
        Path templates = Path.of(config.stateDir()).toAbsolutePath().resolve("microvm-templates");
        List<Path> memories;
        try (var listing = Files.list(templates)) {
            memories = listing.map(folder -> folder.resolve(MicrovmTemplates.MEMORY)).filter(Files::isRegularFile).toList();
        }
        assertFalse(memories.isEmpty(), "a snapshot was taken in " + templates);
        for (Path memory : memories) {
            // a snapshot cut short: QEMU reads its start, then refuses the rest
            try (var file = java.nio.channels.FileChannel.open(memory, java.nio.file.StandardOpenOption.WRITE)) {
                file.truncate(64 * 1024);
            }
        }
        String id = create();
        assertEquals("up\n", shell(id, "echo up"), "a sandbox whose snapshot failed booted cold");
        for (Path memory : memories) {
            assertFalse(Files.exists(memory), "the broken snapshot is gone: " + memory);
        }
        create(); // takes a new snapshot of the shape
        try (var listing = Files.list(templates)) {
            assertTrue(listing.map(folder -> folder.resolve(MicrovmTemplates.MEMORY)).anyMatch(memory -> sizeOf(memory) > 64 * 1024),
                    "a whole snapshot was taken again");
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException missing) {
            return 0;
        }
    }

    @Test
    void aNetworkPortsOrTooLittleMemoryAreRefusedBeforeAnythingBoots() {
        for (RuntimeSpec refused : List.of(spec("sb-refused-net", 256, "bridge"), spec("sb-refused-mem", 64, "none"))) {
            SandboxOperationException error = assertThrows(SandboxOperationException.class,
                    () -> microvm.create(refused, identity.id()));
            assertInstanceOf(InvalidRequestException.class, error);
            assertFalse(microvm.holds(refused.sandboxId()), "nothing was made for " + refused.sandboxId());
        }
    }
}
