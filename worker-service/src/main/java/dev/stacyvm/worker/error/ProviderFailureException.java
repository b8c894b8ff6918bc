package dev.stacyvm.worker.error;

/** The sandbox runtime (the container engine) failed: answered {@code provider_error}. */
public final class ProviderFailureException extends SandboxOperationException {

    public ProviderFailureException(String message) {
        super(message);
    }
}
