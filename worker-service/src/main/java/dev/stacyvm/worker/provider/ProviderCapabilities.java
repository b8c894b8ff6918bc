package dev.stacyvm.worker.provider;

import java.util.List;

/**
 * The words a provider's {@link SandboxProvider#capabilities()} use (docs/providers.md), as
 * {@code GET /api/v1/providers} shows them. The provider TCK runs a check that needs one only
 * against providers that claim it.
 */
public final class ProviderCapabilities {

    /** Runs commands and streams their output. */
    public static final String EXEC = "exec";
    /** Ends a command at its timeout. */
    public static final String EXEC_TIMEOUT = "exec-timeout";
    /**
     * Runs the image's real programs as processes: a timeout ends every process a command started,
     * the process list and signals reach them, stats show their CPU and memory.
     */
    public static final String PROCESSES = "processes";
    /** The files API: read, write, list, stat, move, chmod, delete, glob. */
    public static final String FILES = "files";
    /** Directories in and out as tar archives. */
    public static final String ARCHIVES = "archives";
    /** Commands on a terminal (a PTY) of a given size. */
    public static final String TERMINAL = "terminal";
    /** Sandboxes with a network (bridge) and egress policies. */
    public static final String NETWORK = "network";
    /** Ports of a sandbox reachable through the preview router. */
    public static final String PREVIEW_PORTS = "preview-ports";
    /** The sandbox main process's log. */
    public static final String LOGS = "logs";
    /** Builds: a sandbox made into an image. */
    public static final String IMAGES = "images";

    /** Everything above, for a provider that offers it all. */
    public static final List<String> ALL = List.of(EXEC, EXEC_TIMEOUT, PROCESSES, FILES, ARCHIVES, TERMINAL, NETWORK,
            PREVIEW_PORTS, LOGS, IMAGES);

    private ProviderCapabilities() {
    }
}
