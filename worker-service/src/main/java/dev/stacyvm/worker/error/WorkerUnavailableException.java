package dev.stacyvm.worker.error;

/** The worker cannot do it now (shutting down, still measuring, cannot hold a limit): answered {@code unavailable}; another try may succeed. */
public final class WorkerUnavailableException extends SandboxOperationException {

    public WorkerUnavailableException(String message) {
        super(message);
    }
}
