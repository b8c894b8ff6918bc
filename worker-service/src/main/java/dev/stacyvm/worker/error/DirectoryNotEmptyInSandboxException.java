package dev.stacyvm.worker.error;

/** A directory to remove without {@code recursive} is not empty: answered {@code conflict}. */
public final class DirectoryNotEmptyInSandboxException extends SandboxOperationException {

    public DirectoryNotEmptyInSandboxException(String path) {
        super("directory not empty: " + path);
    }
}
