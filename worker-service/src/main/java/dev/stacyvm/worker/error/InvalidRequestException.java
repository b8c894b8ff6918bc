package dev.stacyvm.worker.error;

/** The request itself is wrong (a path outside the sandbox, a bad mode, a workdir that is not there): answered {@code bad_request}. */
public final class InvalidRequestException extends SandboxOperationException {

    public InvalidRequestException(String message) {
        super(message);
    }
}
