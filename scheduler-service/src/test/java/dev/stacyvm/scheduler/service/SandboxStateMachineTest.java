package dev.stacyvm.scheduler.service;

import static dev.stacyvm.contract.api.SandboxState.CREATING;
import static dev.stacyvm.contract.api.SandboxState.DESTROYED;
import static dev.stacyvm.contract.api.SandboxState.DESTROYING;
import static dev.stacyvm.contract.api.SandboxState.ERROR;
import static dev.stacyvm.contract.api.SandboxState.EXPIRED;
import static dev.stacyvm.contract.api.SandboxState.RUNNING;
import static dev.stacyvm.contract.api.SandboxState.UNHEALTHY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.contract.api.SandboxState;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SandboxStateMachineTest {

    @Test
    void theDesignedLifecycleIsAllowed() {
        assertTrue(SandboxStateMachine.allows(CREATING, RUNNING));
        assertTrue(SandboxStateMachine.allows(RUNNING, UNHEALTHY));
        assertTrue(SandboxStateMachine.allows(UNHEALTHY, RUNNING));
        assertTrue(SandboxStateMachine.allows(RUNNING, EXPIRED));
        assertTrue(SandboxStateMachine.allows(EXPIRED, DESTROYING));
        assertTrue(SandboxStateMachine.allows(DESTROYING, DESTROYED));
        assertTrue(SandboxStateMachine.allows(CREATING, ERROR));
        assertTrue(SandboxStateMachine.allows(DESTROYING, ERROR));
        assertTrue(SandboxStateMachine.allows(ERROR, DESTROYING));
    }

    @Test
    void everyLiveSandboxCanBeDestroyed() {
        for (SandboxState state : SandboxState.values()) {
            if (state.isLive()) {
                assertTrue(SandboxStateMachine.allows(state, DESTROYING), state + " -> destroying");
            }
        }
    }

    @Test
    void destroyedIsFinal() {
        for (SandboxState next : SandboxState.values()) {
            assertFalse(SandboxStateMachine.allows(DESTROYED, next), "destroyed -> " + next);
        }
    }

    @Test
    void nothingSkipsDestroying() {
        Set<SandboxState> reachDestroyed = EnumSet.noneOf(SandboxState.class);
        for (SandboxState from : SandboxState.values()) {
            if (SandboxStateMachine.allows(from, DESTROYED)) {
                reachDestroyed.add(from);
            }
        }
        assertEquals(EnumSet.of(DESTROYING), reachDestroyed);
    }

    @Test
    void aFailedOrExpiredSandboxNeverRunsAgain() {
        assertFalse(SandboxStateMachine.allows(ERROR, RUNNING));
        assertFalse(SandboxStateMachine.allows(EXPIRED, RUNNING));
        assertFalse(SandboxStateMachine.allows(DESTROYING, RUNNING));
    }
}
