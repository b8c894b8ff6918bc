package dev.stacyvm.worker.error;

/** The sandbox has no runtime on this worker: answered {@code not_found}. */
public final class RuntimeNotFoundException extends SandboxOperationException {

    public RuntimeNotFoundException(String sandboxId) {
        super("sandbox runtime not found: " + sandboxId);
    }
}
