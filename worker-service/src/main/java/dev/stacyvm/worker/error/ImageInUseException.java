package dev.stacyvm.worker.error;

/** An image a sandbox's container runs (or one the worker keeps) cannot be removed: answered {@code conflict}. */
public final class ImageInUseException extends SandboxOperationException {

    public ImageInUseException(String message) {
        super(message);
    }
}
