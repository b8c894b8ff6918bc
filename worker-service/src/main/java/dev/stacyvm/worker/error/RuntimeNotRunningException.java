package dev.stacyvm.worker.error;

/** The sandbox's runtime exists but is not running: answered {@code conflict}. */
public final class RuntimeNotRunningException extends SandboxOperationException {

    public RuntimeNotRunningException(String sandboxId) {
        super("sandbox " + sandboxId + " is not running");
    }
}
