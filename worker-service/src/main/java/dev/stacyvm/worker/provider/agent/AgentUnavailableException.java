package dev.stacyvm.worker.provider.agent;

/**
 * The sandbox's agent did not take the operation: no socket, no answer, a failed handshake, or a
 * refusal before anything started. Nothing ran, so the caller may run it through the engine instead.
 */
public class AgentUnavailableException extends Exception {

    public AgentUnavailableException(String message) {
        super(message);
    }

    public AgentUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
