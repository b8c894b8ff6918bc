package dev.stacyvm.worker.error;

/** No process of that id runs in the sandbox: answered {@code not_found}. */
public final class NoSuchProcessException extends SandboxOperationException {

    public NoSuchProcessException(int pid, String sandboxId) {
        super("no process " + pid + " in sandbox " + sandboxId);
    }

    /** No background process of that id. */
    public NoSuchProcessException(String processId, String sandboxId) {
        super("no background process " + processId + " in sandbox " + sandboxId);
    }
}
