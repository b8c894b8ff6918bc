package dev.stacyvm.contract.api;

import java.util.Locale;

/**
 * The states a sandbox passes through (see docs/architecture.md). The wire form is the lower-case
 * name. {@link #isLive()} states hold a runtime and count against capacity.
 */
public enum SandboxState {
    CREATING, RUNNING, UNHEALTHY, EXPIRED, DESTROYING, DESTROYED, ERROR;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SandboxState fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** The states that hold a runtime and count against limits and capacity. */
    public static final java.util.List<SandboxState> LIVE = java.util.List.of(CREATING, RUNNING, UNHEALTHY);

    public boolean isLive() {
        return LIVE.contains(this);
    }
}
