package dev.stacyvm.scheduler.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.stacyvm.contract.api.SandboxState;
import dev.stacyvm.contract.internal.RuntimeStatus;
import dev.stacyvm.scheduler.service.SandboxReconciler.Move;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What a reconcile round makes of a record beside its worker's listing of runtimes. */
class SandboxReconcilerTest {

    private final Instant listedAt = Instant.parse("2026-12-04T15:04:20Z");
    private final Instant now = listedAt.plusMillis(50);
    private final Duration grace = Duration.ofMinutes(2);

    private Move judge(SandboxState state, Instant updatedAt, RuntimeStatus runtime) {
        return SandboxReconciler.judge(state, updatedAt, runtime, listedAt, now, grace);
    }

    private static RuntimeStatus runtime(boolean running, String state) {
        return new RuntimeStatus("sb-1", "c1", running, state);
    }

    @Test
    void aSandboxThatStartedRunningWhileItsWorkerWasListedStaysRunning() {
        // a warm-pool claim answers in milliseconds: running, and not yet in the worker's listing
        assertNull(judge(SandboxState.RUNNING, listedAt.plusMillis(7), null));
        assertNull(judge(SandboxState.RUNNING, listedAt.plusMillis(7), runtime(false, "exited")));
    }

    @Test
    void aRunningSandboxWhoseRuntimeVanishedOrStoppedBeforeTheListingIsUnhealthy() {
        assertEquals(new Move(SandboxState.UNHEALTHY, "runtime missing"), judge(SandboxState.RUNNING, listedAt.minusSeconds(3), null));
        assertEquals(new Move(SandboxState.UNHEALTHY, "runtime exited"),
                judge(SandboxState.RUNNING, listedAt.minusSeconds(3), runtime(false, "exited")));
    }

    @Test
    void anUnhealthySandboxIsRunningAgainWhenItsRuntimeIsBackAndAnErrorOnlyPastTheGrace() {
        assertEquals(new Move(SandboxState.RUNNING, "runtime recovered"),
                judge(SandboxState.UNHEALTHY, listedAt.minusSeconds(3), runtime(true, "running")));
        assertNull(judge(SandboxState.UNHEALTHY, listedAt.minusSeconds(3), null), "within the grace");
        assertEquals(new Move(SandboxState.ERROR, "runtime gone"), judge(SandboxState.UNHEALTHY, now.minus(grace).minusSeconds(1), null));
    }

    @Test
    void aRunningSandboxWithItsRuntimeRunningAndAnUnwatchedStateAreLeftAlone() {
        assertNull(judge(SandboxState.RUNNING, listedAt.minusSeconds(3), runtime(true, "running")));
        assertNull(judge(SandboxState.CREATING, listedAt.minusSeconds(3), null));
        assertNull(judge(SandboxState.DESTROYING, listedAt.minusSeconds(3), null));
    }
}
