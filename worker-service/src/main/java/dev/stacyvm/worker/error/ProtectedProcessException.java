package dev.stacyvm.worker.error;

/** The process is one the sandbox needs (its init or the agent): answered {@code protected_process}. */
public final class ProtectedProcessException extends SandboxOperationException {

    public ProtectedProcessException(String message) {
        super(message);
    }
}
