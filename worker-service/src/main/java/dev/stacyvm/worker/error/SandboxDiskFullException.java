package dev.stacyvm.worker.error;

/** The sandbox's disk size is used up: answered {@code disk_full}. */
public final class SandboxDiskFullException extends SandboxOperationException {

    public SandboxDiskFullException(String message) {
        super(message);
    }
}
