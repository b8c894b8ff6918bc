package dev.stacyvm.worker.provider.agent;

import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.error.NoSuchProcessException;
import dev.stacyvm.worker.error.NotPermittedInSandboxException;
import dev.stacyvm.worker.error.ProtectedProcessException;
import dev.stacyvm.worker.error.ProviderFailureException;
import dev.stacyvm.worker.provider.CommandResult;
import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.service.ExecCommands;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;

/**
 * The agent's one-shot subcommands ({@code workdir}, {@code ps}, {@code signal}: agent/main.go)
 * run as helper commands through a provider's {@link SandboxProvider#run}, and what each exit
 * status means to the worker: one mapping for every provider whose sandboxes carry the agent.
 */
public final class AgentCalls {

    private static final Duration WORKDIR_CHECK = Duration.ofSeconds(10);
    private static final Duration AGENT_CALL = Duration.ofSeconds(15);

    private AgentCalls() {
    }

    /**
     * Checks, as the sandbox's user, that an exec could start in {@code workdir}.
     *
     * @throws InvalidRequestException naming why it cannot, from the agent's marked line
     */
    public static void requireWorkdir(SandboxProvider provider, String agentPath, String sandboxId, String workdir) {
        CommandResult checked = provider.run(sandboxId, List.of(agentPath, "workdir", workdir), null, OutputStream.nullOutputStream(),
                WORKDIR_CHECK);
        if (checked.exitCode() != 0) {
            throw new InvalidRequestException(ExecCommands.workdirRefusal(checked.stderr(), workdir));
        }
    }

    /** The most of a process list the worker reads, bytes. */
    static final int PROCESS_LIST_LIMIT = 4 * 1024 * 1024;

    /**
     * The sandbox's processes as the agent's {@code ps} JSON.
     *
     * @throws ProviderFailureException when the agent fails, or answers more than {@link #PROCESS_LIST_LIMIT}
     */
    public static String processes(SandboxProvider provider, String agentPath, String sandboxId) {
        // the agent lists at most 1000 processes of at most about 1.3 KiB each
        CappedOutput listing = new CappedOutput(PROCESS_LIST_LIMIT);
        CommandResult result = provider.run(sandboxId, List.of(agentPath, "ps"), null, listing, AGENT_CALL);
        if (result.exitCode() != 0 || listing.overflowed()) {
            throw new ProviderFailureException("could not list the processes of sandbox " + sandboxId);
        }
        return listing.text();
    }

    /**
     * Sends {@code signal} to process {@code pid} of the sandbox.
     *
     * @throws InvalidRequestException for a signal the agent does not know
     * @throws NoSuchProcessException when no such process runs there
     * @throws ProtectedProcessException for the sandbox's init or its agent
     * @throws NotPermittedInSandboxException when the sandbox's user may not signal it
     */
    public static void signal(SandboxProvider provider, String agentPath, String sandboxId, int pid, String signal) {
        CommandResult result = provider.run(sandboxId, List.of(agentPath, "signal", String.valueOf(pid), signal), null, null,
                AGENT_CALL);
        switch (result.exitCode()) {
            case 0 -> { }
            case 2 -> throw new InvalidRequestException("signal must be one of HUP, INT, QUIT, KILL, USR1, USR2, TERM, CONT, STOP");
            case 3 -> throw new NoSuchProcessException(pid, sandboxId);
            case 4 -> throw new ProtectedProcessException("process " + pid
                    + " is the sandbox's init or its agent; end the sandbox instead");
            case 5 -> throw new NotPermittedInSandboxException("the sandbox's user may not signal process " + pid);
            default -> throw new ProviderFailureException("could not signal a process in sandbox " + sandboxId);
        }
    }
}
