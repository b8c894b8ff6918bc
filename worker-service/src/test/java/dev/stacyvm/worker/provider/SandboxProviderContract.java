package dev.stacyvm.worker.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.contract.internal.RuntimeHandle;
import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.contract.internal.RuntimeStatus;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.error.RuntimeNotFoundException;
import dev.stacyvm.worker.error.SandboxOperationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link SandboxProvider} must meet, as tests (a TCK): an implementation's
 * test extends this class and says how to reach the provider, a worker id and an image its
 * runtimes can start. Each test makes its own runtimes and destroys them afterwards. A check that
 * needs real processes runs only against a provider that claims {@link ProviderCapabilities#PROCESSES}
 * (the mock provider does not: docs/providers.md); every other check holds for every provider.
 */
public abstract class SandboxProviderContract {

    /** The provider under test, ready to create runtimes. */
    protected abstract SandboxProvider provider();

    /** The worker id the provider's runtimes are made for. */
    protected abstract String workerId();

    /** An image with {@code /bin/sh}, {@code sleep} and {@code /workspace} that the provider can start. */
    protected abstract String image();

    private final List<String> made = new ArrayList<>();

    @AfterEach
    void destroyWhatTheTestMade() {
        for (String id : made) {
            try {
                provider().destroy(id);
            } catch (RuntimeException alreadyGone) {
                // the test destroyed it itself
            }
        }
    }

    /** A sandbox id of the shape the scheduler gives ({@code sb-} and hex), unique to this run. */
    protected static String newSandboxId() {
        byte[] random = new byte[6];
        ThreadLocalRandom.current().nextBytes(random);
        return "sb-" + HexFormat.of().formatHex(random);
    }

    /** Creates a runtime with no network, 256 MiB, one vCPU and {@code TCK=yes} in its environment. */
    protected RuntimeHandle create(String sandboxId) {
        made.add(sandboxId);
        return provider().create(new RuntimeSpec(sandboxId, "tck:contract", image(), 256, 1, Map.of("TCK", "yes"),
                "none", List.of(), 128, false, false, 256, null, null, null, false, runtime(), provider().name()), workerId());
    }

    /**
     * The OCI runtime the suite's sandboxes run under: {@code -Dstacyvm.provider-tck.runtime}, runc by
     * default ({@code ./stacyvm test} runs the suite again under runsc where gVisor is installed).
     */
    protected String runtime() {
        return System.getProperty("stacyvm.provider-tck.runtime", "runc");
    }

    /** Output collected whole, per stream. */
    protected static final class Collected implements ExecOutputSink {
        final StringBuilder stdout = new StringBuilder();
        final StringBuilder stderr = new StringBuilder();

        @Override
        public void accept(String stream, String data) {
            (STDOUT.equals(stream) ? stdout : stderr).append(data);
        }
    }

    protected ExecOutcome shell(String sandboxId, String line, Duration timeout, Collected output) {
        return provider().exec(sandboxId, new ExecCommand(List.of("/bin/sh", "-c", line), Map.of(), null, timeout), output);
    }

    /** Skips the rest of a check that needs real processes when the provider runs none. */
    protected void assumeProcesses() {
        org.junit.jupiter.api.Assumptions.assumeTrue(provider().capabilities().contains(ProviderCapabilities.PROCESSES),
                provider().name() + " runs no processes");
    }

    private static SandboxOperationException refusal(Runnable call) {
        return assertThrows(SandboxOperationException.class, call::run);
    }

    @Test
    void aCreatedRuntimeRunsAndIsListedUnderItsSandboxIdForItsWorker() {
        String id = newSandboxId();
        RuntimeHandle handle = create(id);
        assertEquals(id, handle.sandboxId());
        assertEquals(workerId(), handle.workerId());
        provider().requireRunning(id);
        List<RuntimeStatus> listed = provider().runtimes(workerId());
        assertTrue(listed.stream().anyMatch(status -> id.equals(status.sandboxId()) && status.running()),
                "the worker's runtimes list it, running: " + listed);
    }

    @Test
    void execAnswersTheCommandsOutputPerStreamAndItsExitStatusInTheSandboxsEnvironment() {
        String id = newSandboxId();
        create(id);
        Collected output = new Collected();
        ExecOutcome outcome = shell(id, "echo \"tck=$TCK\"; echo oops >&2; exit 3", Duration.ofSeconds(30), output);
        assertEquals(3, outcome.exitCode());
        assertFalse(outcome.timedOut());
        assertEquals("tck=yes\n", output.stdout.toString());
        assertEquals("oops\n", output.stderr.toString());
    }

    @Test
    void aCommandPastItsTimeoutIsEndedAndSaidToHaveTimedOut() {
        String id = newSandboxId();
        create(id);
        ExecOutcome outcome = shell(id, "sleep 300", Duration.ofSeconds(1), new Collected());
        assertTrue(outcome.timedOut(), "timed out: " + outcome);
        assertTrue(outcome.took().compareTo(Duration.ofSeconds(60)) < 0, "ended long before the command would have: " + outcome);
        Collected after = new Collected();
        assertEquals(0, shell(id, "true", Duration.ofSeconds(30), after).exitCode(), "the sandbox still runs commands");
    }

    @Test
    void aTimeoutEndsEverythingTheCommandStartedEvenWhatLeftItsSession() {
        assumeProcesses();
        String id = newSandboxId();
        create(id);
        ExecOutcome outcome = shell(id, "setsid sh -c 'sleep 301' & sleep 302", Duration.ofSeconds(1), new Collected());
        assertTrue(outcome.timedOut(), "timed out: " + outcome);
        Collected left = new Collected();
        shell(id, "for p in /proc/[0-9]*; do cat $p/cmdline 2>/dev/null | tr '\\0' ' '; echo; done", Duration.ofSeconds(30), left);
        assertFalse(left.stdout.toString().contains("sleep 30"), "nothing it started is left: " + left.stdout);
    }

    @Test
    void aLongStreamArrivesWholeAndInOrder() {
        assumeProcesses();
        String id = newSandboxId();
        create(id);
        Collected output = new Collected();
        ExecOutcome outcome = shell(id, "i=0; while [ $i -lt 20000 ]; do echo line$i; i=$((i+1)); done",
                Duration.ofSeconds(60), output);
        assertEquals(0, outcome.exitCode());
        String[] lines = output.stdout.toString().split("\n");
        assertEquals(20000, lines.length);
        for (int i = 0; i < lines.length; i++) {
            assertEquals("line" + i, lines[i]);
        }
    }

    @Test
    void aHelperCommandReadsItsInputAndReportsItsStatusAndErrors() {
        String id = newSandboxId();
        create(id);
        byte[] input = new byte[3 * 1024 * 1024 + 7];
        ThreadLocalRandom.current().nextBytes(input);
        java.io.ByteArrayOutputStream output = new java.io.ByteArrayOutputStream();
        CommandResult result = provider().run(id, List.of("/bin/sh", "-c", "cat; echo done >&2; exit 3"),
                new java.io.ByteArrayInputStream(input), output, Duration.ofSeconds(60));
        assertEquals(3, result.exitCode());
        assertEquals("done", result.stderr());
        org.junit.jupiter.api.Assertions.assertArrayEquals(input, output.toByteArray(), "binary input comes back whole");
    }

    @Test
    void anInteractiveCommandGetsItsInputAndItsEnd() {
        String id = newSandboxId();
        create(id);
        try (InteractiveExec exec = provider().openInteractive(id,
                new ExecCommand(List.of("/bin/sh", "-c", "cat; echo bye >&2"), Map.of(), null, Duration.ofSeconds(30)), null)) {
            exec.write("hello\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            exec.endInput();
            StringBuilder out = new StringBuilder();
            StringBuilder err = new StringBuilder();
            ExecOutcome outcome = exec.relay((stream, data) -> (ExecOutputSink.STDOUT.equals(stream) ? out : err)
                    .append(new String(data, java.nio.charset.StandardCharsets.UTF_8)));
            assertEquals(0, outcome.exitCode(), outcome.toString());
            assertEquals("hello\n", out.toString());
            assertEquals("bye\n", err.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aTerminalHasTheAskedSizeAndFollowsAResize() {
        String id = newSandboxId();
        create(id);
        try (InteractiveExec exec = provider().openInteractive(id, new ExecCommand(List.of("/bin/sh", "-c",
                "stty size; read line; stty size"), Map.of(), null, Duration.ofSeconds(30)), new TerminalSize(100, 30))) {
            StringBuilder out = new StringBuilder();
            Thread relay = Thread.ofVirtual().start(() -> exec.relay((stream, data) -> {
                synchronized (out) {
                    out.append(new String(data, java.nio.charset.StandardCharsets.UTF_8));
                }
            }));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!snapshot(out).contains("30 100") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            exec.resize(new TerminalSize(120, 40));
            exec.write("go\r".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            relay.join(Duration.ofSeconds(20));
            assertTrue(snapshot(out).contains("30 100"), "the size asked for: " + out);
            assertTrue(snapshot(out).contains("40 120"), "the size after the resize: " + out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String snapshot(StringBuilder out) {
        synchronized (out) {
            return out.toString();
        }
    }

    @Test
    void statsOfARunningRuntimeShowItsLimitsItsProcessesAndTheCpuItBurns() {
        String id = newSandboxId();
        create(id);
        var idle = provider().stats(id);
        assertEquals(256L * 1024 * 1024, idle.memLimitBytes(), "the memory limit it was created with: " + idle);
        assertEquals(1, idle.vcpus(), "its vCPUs: " + idle);
        assertEquals(128, idle.pidsLimit(), "its process limit: " + idle);
        assertInstanceOf(RuntimeNotFoundException.class, refusal(() -> provider().stats(newSandboxId())));
        assumeProcesses();
        assertTrue(idle.pids() >= 1 && idle.memBytes() > 0, "its main process, in memory: " + idle);
        // a sandbox just started is still settling (gVisor's kernel burns a moment of CPU booting):
        // it must become idle, sampled about once a second, within ten samples
        for (int sample = 0; sample < 10 && idle.cpuPct() >= 10; sample++) {
            idle = provider().stats(id);
        }
        assertTrue(idle.cpuPct() < 10, "an idle sandbox burns little CPU: " + idle);
        // a busy loop for a few seconds, in the background of a finished exec
        assertEquals(0, shell(id, "(timeout 8 sh -c 'while :; do :; done' &) ; true", Duration.ofSeconds(30),
                new Collected()).exitCode());
        var busy = provider().stats(id);
        // a loaded 2-core host may give the loop half a core or less: well above idle is what shows it
        assertTrue(busy.cpuPct() > 25, "a sandbox spinning on its one vCPU shows it: " + busy);
        assertTrue(busy.pids() > idle.pids(), "the loop's processes count: " + busy);
    }

    @Test
    void aWorkdirThatIsMissingIsABadRequestAndAnExistingOneIsFine() {
        String id = newSandboxId();
        create(id);
        provider().requireWorkdir(id, "/workspace");
        assertInstanceOf(InvalidRequestException.class, refusal(() -> provider().requireWorkdir(id, "/no/such/dir")));
    }

    @Test
    void destroyRemovesTheRuntimeAndDestroyingAgainIsNoError() {
        String id = newSandboxId();
        create(id);
        provider().destroy(id);
        provider().destroy(id);
        assertInstanceOf(RuntimeNotFoundException.class, refusal(() -> provider().requireRunning(id)));
        assertTrue(provider().runtimes(workerId()).stream().noneMatch(status -> id.equals(status.sandboxId())),
                "no longer listed");
    }

    @Test
    void aSandboxWithoutARuntimeIsNotFound() {
        String id = newSandboxId();
        assertInstanceOf(RuntimeNotFoundException.class, refusal(() -> provider().requireRunning(id)));
    }

    @Test
    void theProviderIsHealthyAndOffersExecAndOnlyCapabilitiesItNames() {
        assertTrue(provider().healthy());
        assertTrue(provider().capabilities().contains(ProviderCapabilities.EXEC), "capabilities: " + provider().capabilities());
        assertTrue(ProviderCapabilities.ALL.containsAll(provider().capabilities()),
                "every capability is one docs/providers.md names: " + provider().capabilities());
    }
}
