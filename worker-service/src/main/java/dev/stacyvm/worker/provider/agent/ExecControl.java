package dev.stacyvm.worker.provider.agent;

/**
 * What an interactive exec asks of its provider beyond its own connection: signals and the final
 * kill, both sent to the sandbox's agent by the exec's id (the agent's {@code kill --id}; see
 * docs/agent-protocol.md).
 */
public interface ExecControl {

    /** Kills the exec and everything it started; returns once they are gone (or the agent gave up). */
    void kill(String sandboxId, String execId);

    /**
     * Signals the exec's foreground job on a terminal, or its command without one.
     *
     * @return whether anything was there to signal
     * @throws dev.stacyvm.worker.error.InvalidRequestException for a signal the agent does not know
     */
    boolean signal(String sandboxId, String execId, String signal);
}
