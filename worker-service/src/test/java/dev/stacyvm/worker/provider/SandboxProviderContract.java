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
 * runtimes can start. Each test makes its own runtimes and destroys them afterwards.
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
                "none", List.of(), 128, false, false, 256, null, null, null, false), workerId());
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
    void statsOfARunningRuntimeShowItsLimitsItsProcessesAndTheCpuItBurns() {
        String id = newSandboxId();
        create(id);
        var idle = provider().stats(id);
        assertEquals(256L * 1024 * 1024, idle.memLimitBytes(), "the memory limit it was created with: " + idle);
        assertEquals(1, idle.vcpus(), "its vCPUs: " + idle);
        assertEquals(128, idle.pidsLimit(), "its process limit: " + idle);
        assertTrue(idle.pids() >= 1 && idle.memBytes() > 0, "its main process, in memory: " + idle);
        assertTrue(idle.cpuPct() < 10, "an idle sandbox burns little CPU: " + idle);
        // a busy loop for a few seconds, in the background of a finished exec
        assertEquals(0, shell(id, "(timeout 8 sh -c 'while :; do :; done' &) ; true", Duration.ofSeconds(30),
                new Collected()).exitCode());
        var busy = provider().stats(id);
        // a loaded 2-core host may give the loop half a core or less: well above idle is what shows it
        assertTrue(busy.cpuPct() > 25, "a sandbox spinning on its one vCPU shows it: " + busy);
        assertTrue(busy.pids() > idle.pids(), "the loop's processes count: " + busy);
        assertInstanceOf(RuntimeNotFoundException.class, refusal(() -> provider().stats(newSandboxId())));
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
    void theProviderIsHealthyAndOffersExec() {
        assertTrue(provider().healthy());
        assertTrue(provider().capabilities().contains("exec"), "capabilities: " + provider().capabilities());
    }
}
