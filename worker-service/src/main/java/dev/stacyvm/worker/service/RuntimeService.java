package dev.stacyvm.worker.service;

import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.contract.api.ExecResult;
import dev.stacyvm.contract.api.LogLines;
import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.internal.DiskUsage;
import dev.stacyvm.contract.internal.ProviderCheck;
import dev.stacyvm.contract.internal.RuntimeHandle;
import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.contract.internal.RuntimeStatus;
import dev.stacyvm.contract.time.GoDuration;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.ExceedsHostCapacityException;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.provider.ExecCommand;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.ExecOutputSink;
import dev.stacyvm.worker.provider.LogTail;
import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.provider.SandboxProviders;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;

/** The worker's runtime operations, each validated and handed to the sandbox provider. */
@ApplicationScoped
public class RuntimeService {

    @Inject
    SandboxProviders providers;

    @Inject
    BackgroundProcesses background;

    @Inject
    WorkerIdentity identity;

    @Inject
    dev.stacyvm.worker.certification.HostCertifications certifications;

    @Inject
    WorkerConfig config;

    @Inject
    HostCapacityProbe host;

    @Inject
    DiskUsageMeter diskUsage;

    /**
     * Starts a sandbox. A {@code pids_limit} above this host's per-sandbox ceiling is refused with
     * {@code exceeds_host_capacity} whatever the scheduler decided, so the host's own limit holds
     * even against a caller that skipped placement.
     */
    public RuntimeHandle create(RuntimeSpec spec) {
        if (spec == null || spec.sandboxId() == null || !spec.sandboxId().matches("sb-[a-z0-9]{8,64}")) {
            throw new InvalidRequestException("sandbox_id is missing or malformed");
        }
        if (spec.image() == null || spec.image().isBlank()) {
            throw new InvalidRequestException("image is required");
        }
        long ceiling = host.capacity().maxPidsLimit();
        if (spec.pidsLimit() < 1 || spec.pidsLimit() > ceiling) {
            throw new ExceedsHostCapacityException("pids_limit " + spec.pidsLimit()
                    + " is more than this worker host allows one sandbox (" + ceiling + ")");
        }
        SandboxProvider provider = providers.named(spec.provider());
        long started = System.nanoTime();
        RuntimeHandle handle = provider.create(spec, identity.id());
        providers.created(spec.sandboxId(), provider);
        // one line per sandbox an operator can follow (and, in JSON logs, join to its trace)
        Log.infof("created sandbox %s from %s as %s in %d ms", spec.sandboxId(), spec.image(), handle.runtimeId(),
                (System.nanoTime() - started) / 1_000_000);
        return handle;
    }

    /** Ends the sandbox's runtime and forgets what the worker held for it; a gone sandbox is no error. */
    public void destroy(String sandboxId) {
        background.forget(sandboxId);
        providers.forSandbox(sandboxId).destroy(sandboxId);
        providers.destroyed(sandboxId);
        // again: a background start that raced the destroy may have registered meanwhile
        background.forget(sandboxId);
        diskUsage.forget(sandboxId);
        Log.infof("destroyed sandbox %s", sandboxId);
    }

    /** Every runtime of this worker, for the scheduler's reconciliation. */
    public List<RuntimeStatus> runtimes() {
        List<RuntimeStatus> runtimes = new java.util.ArrayList<>();
        for (SandboxProvider provider : providers.enabled()) {
            runtimes.addAll(provider.runtimes(identity.id()));
        }
        return runtimes;
    }

    /** Reloads the sandbox's egress rules for {@code policy} (see {@link SandboxProvider#applyNetworkPolicy}). */
    public void applyNetworkPolicy(String sandboxId, NetworkPolicy policy) {
        providers.forSandbox(sandboxId).applyNetworkPolicy(sandboxId, policy);
    }

    /** What the sandbox has written, in bytes (see {@link DiskUsageMeter} for how fresh). */
    public DiskUsage diskUsage(String sandboxId) {
        return new DiskUsage(sandboxId, diskUsage.usedBytes(sandboxId));
    }

    /** What the running sandbox uses now, its disk included ({@link SandboxProvider#stats}). */
    public dev.stacyvm.contract.api.SandboxStats stats(String sandboxId) {
        return providers.forSandbox(sandboxId).stats(sandboxId).withDiskUsed(diskUsage.usedBytes(sandboxId));
    }

    /** A build's sandbox as a new image (docs/images.md, Builds); see {@link SandboxProvider#commit}. */
    public dev.stacyvm.contract.internal.ImageCommit.Result commit(String sandboxId,
            dev.stacyvm.contract.internal.ImageCommit commit) {
        if (commit == null || commit.reference() == null || commit.reference().isBlank()) {
            throw new dev.stacyvm.worker.error.InvalidRequestException("reference is required");
        }
        return providers.forSandbox(sandboxId).commit(sandboxId, commit);
    }

    /** A build's sandbox's image configuration; see {@link SandboxProvider#imageConfig}. */
    public dev.stacyvm.contract.internal.ImageCommit.Base imageConfig(String sandboxId) {
        return providers.forSandbox(sandboxId).imageConfig(sandboxId);
    }

    /** The newest of the last {@code lines} log lines that fit in {@code stacyvm.worker.logs-max-bytes}. */
    public LogTail.Result logs(String sandboxId, Integer lines) {
        return providers.forSandbox(sandboxId).logs(sandboxId, LogLines.bounded(lines), config.logsMaxBytes());
    }

    /** The sandbox's processes, as the agent's JSON listing. */
    public String processes(String sandboxId) {
        return providers.forSandbox(sandboxId).processes(sandboxId);
    }

    /** Signals one process of the sandbox; {@code KILL} when no signal is named. */
    public void signal(String sandboxId, int pid, String signal) {
        if (pid <= 0) {
            throw new InvalidRequestException("pid must be a positive number");
        }
        String name = signal == null || signal.isBlank() ? "KILL" : signal;
        if (!name.matches("[A-Za-z0-9]{1,8}")) {
            throw new InvalidRequestException("signal must be a name such as TERM or KILL");
        }
        providers.forSandbox(sandboxId).signal(sandboxId, pid, name);
    }

    /**
     * Checks each provider this worker runs now: does its runtime technology answer, how fast, and
     * its certification on this host under each runtime.
     */
    public List<ProviderCheck> check() {
        List<ProviderCheck> checks = new java.util.ArrayList<>();
        for (SandboxProvider provider : providers.enabled()) {
            long started = System.nanoTime();
            boolean healthy = provider.healthy();
            checks.add(new ProviderCheck(provider.name(), identity.id(), healthy,
                    GoDuration.format(Duration.ofNanos(System.nanoTime() - started)), provider.capabilities(),
                    certifications.of(provider)));
        }
        return checks;
    }

    /** Runs a command and answers once it ended, with its output up to the configured limit. */
    public ExecResult exec(String sandboxId, ExecRequest request) {
        CollectedOutput output = new CollectedOutput(config.execOutputLimitBytes());
        ExecCommand command = ExecCommands.from(request, config.execDefaultTimeout());
        ExecOutcome outcome = providers.forSandbox(sandboxId).exec(sandboxId, command, output);
        if (command.workdir() != null && outcome.exitCode() == ExecCommands.WORKDIR_EXIT && output.stdout().isEmpty()
                && output.stderr().startsWith(ExecCommands.WORKDIR_MARK)) {
            // the agent could not enter the workdir: the command never started
            throw new InvalidRequestException(ExecCommands.workdirRefusal(output.stderr(), command.workdir()));
        }
        return new ExecResult(outcome.exitCode(), output.stdout(), output.stderr(), GoDuration.format(outcome.took()),
                outcome.timedOut());
    }

    /**
     * Checks the request and the sandbox before anything runs, so that a bad one is refused with a
     * proper error before a stream has started.
     */
    public ExecCommand prepareStream(String sandboxId, ExecRequest request) {
        ExecCommand command = ExecCommands.from(request, config.execDefaultTimeout());
        providers.forSandbox(sandboxId).requireRunning(sandboxId);
        if (command.workdir() != null) {
            providers.forSandbox(sandboxId).requireWorkdir(sandboxId, command.workdir());
        }
        return command;
    }

    /** Runs a command, passing each chunk of output to {@code sink} as it is written. */
    public ExecOutcome stream(String sandboxId, ExecCommand command, ExecOutputSink sink) {
        try {
            return providers.forSandbox(sandboxId).exec(sandboxId, command, sink);
        } finally {
            // its answer began before the command ran: what it wrote shows from now on
            diskUsage.written(sandboxId);
        }
    }

    /**
     * Starts an exec WebSocket's command: on a terminal when the request asks for one (default
     * 80x24), with its stdin open. Refuses what {@link #prepareStream} refuses, and a terminal size
     * out of 1 to 1000 ({@code bad_request}).
     */
    public dev.stacyvm.worker.provider.InteractiveExec openInteractive(String sandboxId,
                                                                       dev.stacyvm.contract.api.ExecSocketRequest request) {
        dev.stacyvm.worker.provider.TerminalSize terminal = null;
        if (request.terminal()) {
            try {
                terminal = new dev.stacyvm.worker.provider.TerminalSize(
                        request.cols() == null ? dev.stacyvm.worker.provider.TerminalSize.DEFAULT.cols() : request.cols(),
                        request.rows() == null ? dev.stacyvm.worker.provider.TerminalSize.DEFAULT.rows() : request.rows());
            } catch (IllegalArgumentException outOfRange) {
                throw new dev.stacyvm.worker.error.InvalidRequestException(outOfRange.getMessage());
            }
        }
        ExecCommand command = prepareStream(sandboxId, request.execRequest(request.timeout()));
        return providers.forSandbox(sandboxId).openInteractive(sandboxId, command, terminal);
    }

    /** After an interactive exec: what it wrote shows in the sandbox's disk use from now on. */
    public void interactiveEnded(String sandboxId) {
        diskUsage.written(sandboxId);
    }
}
