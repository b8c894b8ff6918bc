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

    public boolean isLive() {
        return this == CREATING || this == RUNNING || this == UNHEALTHY;
    }

    public boolean isFinal() {
        return this == DESTROYED;
    }
}
