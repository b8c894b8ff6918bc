package dev.stacyvm.worker.error;

/** The sandbox asks for more than this worker's host could ever give: answered {@code exceeds_host_capacity}. */
public final class ExceedsHostCapacityException extends SandboxOperationException {

    public ExceedsHostCapacityException(String message) {
        super(message);
    }
}
