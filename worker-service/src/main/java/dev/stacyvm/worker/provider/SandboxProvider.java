package dev.stacyvm.worker.provider;

import dev.stacyvm.contract.internal.RuntimeHandle;
import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.contract.internal.RuntimeStatus;
import java.util.List;

/**
 * What a worker needs from a sandbox runtime technology (docs/providers.md). Every implementation
 * must meet the same promises: a runtime is hardened as docs/architecture.md says, is found again
 * by sandbox id, and destroy is idempotent. An implementation is a CDI bean qualified with
 * {@link io.smallrye.common.annotation.Identifier @Identifier} of its {@link #name()}; a worker
 * runs those its {@code stacyvm.worker.providers} lists ({@link SandboxProviders}). Failures a client should see are the kinds of
 * {@link dev.stacyvm.worker.error.SandboxOperationException}, which the REST layer maps to error codes.
 */
public interface SandboxProvider {

    /** The name clients use in {@code provider}, e.g. {@code docker}. */
    String name();

    /** Starts a runtime for the sandbox; a retry for the same sandbox returns the same runtime. */
    RuntimeHandle create(RuntimeSpec spec, String workerId);

    /**
     * Whether this provider has a runtime for the sandbox, running or not; cheap enough to ask on a
     * request's path (the worker asks when it does not yet know which provider a sandbox is on).
     */
    boolean holds(String sandboxId);

    /** Removes the sandbox's runtime and everything in it; nothing to remove is a success. */
    void destroy(String sandboxId);

    /**
     * Runs a command to completion or until its timeout kills it and all its children, passing
     * its output to {@code sink} as it is written; a sink that fails kills the command.
     */
    ExecOutcome exec(String sandboxId, ExecCommand command, ExecOutputSink sink);

    /**
     * Starts a command whose stdin stays open, on a terminal of {@code terminal}'s size (a PTY: its
     * stdout and stderr are one stream) or without one when it is null. The command runs as every
     * exec does (the agent, the sandbox user, killed with all it started at its timeout).
     *
     * @throws dev.stacyvm.worker.error.RuntimeNotFoundException when the sandbox's runtime is gone
     * @throws dev.stacyvm.worker.error.RuntimeNotRunningException when it is not running
     */
    InteractiveExec openInteractive(String sandboxId, ExecCommand command, TerminalSize terminal);

    /**
     * Runs a helper command in the sandbox as the sandbox's own user, with stdin read from
     * {@code input} (none when null) and stdout written to {@code output} as it comes. The files
     * API works through this, so that no file is ever touched from outside the sandbox.
     */
    CommandResult run(String sandboxId, List<String> argv, java.io.InputStream input, java.io.OutputStream output,
                      java.time.Duration timeout);

    /**
     * Refuses a sandbox whose runtime is missing ({@code not_found}) or not running
     * ({@code conflict}); cheap enough to call before starting a stream.
     */
    void requireRunning(String sandboxId);

    /**
     * Checks, as the sandbox's user, that an exec could start in {@code workdir}.
     *
     * @throws dev.stacyvm.worker.error.InvalidRequestException naming why it cannot (missing, not a directory, not enterable)
     */
    void requireWorkdir(String sandboxId, String workdir);


    /**
     * The last {@code lines} lines the sandbox's main process wrote, stdout and stderr interleaved,
     * as many of the newest as fit in {@code maxBytes} bytes of JSON ({@link LogTail}); never holds
     * more than that in memory, however long the lines.
     */
    LogTail.Result logs(String sandboxId, int lines, int maxBytes);

    /**
     * The bytes the sandbox's runtime has written (everything counted against its disk size);
     * {@code not_found} when it has no runtime.
     */
    long diskUsedBytes(String sandboxId);

    /**
     * What the running sandbox uses now: CPU over about the last second, memory, processes and
     * network counters from the runtime technology's own sample, with its vCPUs and limits. The disk
     * figures are left 0 and null (the worker's disk meter and the scheduler's record add them).
     *
     * @throws dev.stacyvm.worker.error.RuntimeNotFoundException when it has no runtime
     * @throws dev.stacyvm.worker.error.RuntimeNotRunningException when it is not running
     */
    dev.stacyvm.contract.api.SandboxStats stats(String sandboxId);

    /**
     * Replaces the egress rules of a running networked sandbox with those of {@code policy}
     * ({@code null}: open egress to public addresses; the always-refused ranges stay in force).
     * The swap is atomic: when it fails the old rules stay.
     *
     * @throws dev.stacyvm.worker.error.RuntimeNotFoundException when it has no runtime
     * @throws dev.stacyvm.worker.error.ProviderFailureException when the rules could not be loaded
     */
    void applyNetworkPolicy(String sandboxId, dev.stacyvm.contract.api.NetworkPolicy policy);

    /**
     * The sandbox's processes as the agent's {@code ps} JSON ({@code {"processes": [...],
     * "truncated": bool}}, at most 1000 processes), read inside the sandbox as its user.
     */
    String processes(String sandboxId);

    /**
     * Sends a signal (a name such as {@code KILL}) to one process of the sandbox. Refuses pid 1 and
     * the agent's own processes ({@code protected_process}); a pid that is not there is
     * {@code not_found}; one the sandbox's user may not signal is {@code forbidden}.
     */
    void signal(String sandboxId, int pid, String signal);

    /**
     * Makes a build's sandbox (one created with {@code builder}) into an image named
     * {@code commit.reference()} on this worker, with the build's image configuration over its base
     * image's; the sandbox keeps running.
     *
     * @throws dev.stacyvm.worker.error.RuntimeNotFoundException when it has no runtime
     * @throws dev.stacyvm.worker.error.InvalidRequestException when it is not a build's sandbox, or
     *     the reference is not a build's image name
     */
    dev.stacyvm.contract.internal.ImageCommit.Result commit(String sandboxId, dev.stacyvm.contract.internal.ImageCommit commit);

    /**
     * The configuration of a build's sandbox's image (its environment and working directory),
     * which a Dockerfile's steps start from.
     *
     * @throws dev.stacyvm.worker.error.RuntimeNotFoundException when it has no runtime
     * @throws dev.stacyvm.worker.error.InvalidRequestException when it is not a build's sandbox
     */
    dev.stacyvm.contract.internal.ImageCommit.Base imageConfig(String sandboxId);

    /** Every runtime this worker holds, running or not, as the engine reports it now. */
    List<RuntimeStatus> runtimes(String workerId);

    /** Whether the runtime technology answers right now. */
    boolean healthy();

    /** What sandboxes of this provider can do, e.g. {@code exec}, {@code network}, {@code preview}. */
    List<String> capabilities();

    /**
     * The OCI runtimes this provider can run sandboxes under now, among those a sandbox may name
     * ({@link dev.stacyvm.contract.internal.SandboxSpec#RUNTIMES}), in that order; what the worker
     * advertises to placement (docs/providers.md). Empty when the runtime technology does not answer.
     */
    List<String> ociRuntimes();

    /**
     * The version of the engine under this provider (Docker's server version;
     * {@link dev.stacyvm.contract.certification.HostFingerprint#NO_ENGINE} for a provider on none): part
     * of the host fingerprint a certification holds for (docs/certification.md). Null when the engine
     * does not answer.
     */
    String engineVersion();
}
