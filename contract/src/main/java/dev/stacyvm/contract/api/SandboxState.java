package dev.stacyvm.contract.api;

import java.util.Locale;

/**
 * The states a sandbox passes through (see docs/architecture.md). The wire form is the lower-case
 * name. {@link #isLive()} states hold a runtime and count against capacity.
 */
public enum SandboxState {
    CREATING, RUNNING, UNHEALTHY, EXPIRED, DESTROYING, DESTROYED, ERROR;

    /** The state as the wire spells it, in a sandbox's {@code state}: {@code "running"}, ... */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The state a wire name stands for.
     *
     * @throws IllegalArgumentException for a name that is no state
     */
    public static SandboxState fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** The states that hold a runtime and count against limits and capacity. */
    public static final java.util.List<SandboxState> LIVE = java.util.List.of(CREATING, RUNNING, UNHEALTHY);

    /** Whether this state holds a runtime and counts against limits and capacity ({@link #LIVE}). */
    public boolean isLive() {
        return LIVE.contains(this);
    }
}
