package dev.stacyvm.worker.error;

/** No image by that name on this worker: answered {@code not_found}. */
public final class ImageNotFoundException extends SandboxOperationException {

    public ImageNotFoundException(String message) {
        super(message);
    }
}
