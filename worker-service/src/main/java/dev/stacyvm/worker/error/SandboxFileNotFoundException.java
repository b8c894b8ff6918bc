package dev.stacyvm.worker.error;

/** No file or directory at the path in the sandbox: answered {@code not_found}. */
public final class SandboxFileNotFoundException extends SandboxOperationException {

    public SandboxFileNotFoundException(String path) {
        super("no such file or directory: " + path);
    }
}
