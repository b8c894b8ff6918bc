package dev.stacyvm.contract.api;

/**
 * The shape a create gets for every field it leaves out, unless an operator configures another. Strings, because
 * {@code @WithDefault} takes them.
 * Kept in one place because two services depend on it: the gateway fills requests in with it, and
 * a worker's warm pool keeps containers of this shape ready, so that a default create can claim one.
 */
public final class SandboxDefaults {

    /** The base image `./stacyvm up` builds. */
    public static final String IMAGE = "stacyvm/base:bookworm";
    /** The memory limit (MiB). */
    public static final String MEMORY_MB = "512";
    /** The vCPUs. */
    public static final String VCPUS = "1";
    /** The most processes and threads a sandbox may hold at once. */
    public static final String PIDS_LIMIT = "256";
    /** The disk a sandbox may write (MiB): its root layer, /workspace, home, /tmp and /var/tmp together. */
    public static final String DISK_MB = "10240";

    private SandboxDefaults() {
    }
}
