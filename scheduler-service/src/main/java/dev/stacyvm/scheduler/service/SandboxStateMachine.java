package dev.stacyvm.scheduler.service;

import static dev.stacyvm.contract.api.SandboxState.CREATING;
import static dev.stacyvm.contract.api.SandboxState.DESTROYED;
import static dev.stacyvm.contract.api.SandboxState.DESTROYING;
import static dev.stacyvm.contract.api.SandboxState.ERROR;
import static dev.stacyvm.contract.api.SandboxState.EXPIRED;
import static dev.stacyvm.contract.api.SandboxState.RUNNING;
import static dev.stacyvm.contract.api.SandboxState.UNHEALTHY;

import dev.stacyvm.contract.api.SandboxState;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Which state may follow which: {@code creating -> running -> (unhealthy <-> running) -> expired
 * -> destroying -> destroyed}, {@code creating -> error}, {@code destroying -> error ->
 * destroying}. A live sandbox may be destroyed at any time, so every live state may go to
 * {@code destroying}.
 */
public final class SandboxStateMachine {

    private static final Map<SandboxState, Set<SandboxState>> NEXT = Map.of(
            CREATING, EnumSet.of(RUNNING, ERROR, DESTROYING),
            RUNNING, EnumSet.of(UNHEALTHY, EXPIRED, DESTROYING, ERROR),
            UNHEALTHY, EnumSet.of(RUNNING, EXPIRED, DESTROYING, ERROR),
            EXPIRED, EnumSet.of(DESTROYING),
            DESTROYING, EnumSet.of(DESTROYED, ERROR),
            ERROR, EnumSet.of(DESTROYING),
            DESTROYED, EnumSet.noneOf(SandboxState.class));

    private SandboxStateMachine() {
    }

    public static boolean allows(SandboxState from, SandboxState to) {
        return NEXT.get(from).contains(to);
    }
}
