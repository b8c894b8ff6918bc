package dev.stacyvm.worker.error;

/** The sandbox's own user may not do it (signal another user's process, write a file it cannot): answered {@code forbidden}. */
public final class NotPermittedInSandboxException extends SandboxOperationException {

    public NotPermittedInSandboxException(String message) {
        super(message);
    }
}
