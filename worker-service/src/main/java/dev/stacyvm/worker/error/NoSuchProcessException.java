package dev.stacyvm.worker.error;

/** No process of that id runs in the sandbox: answered {@code not_found}. */
public final class NoSuchProcessException extends SandboxOperationException {

    public NoSuchProcessException(int pid, String sandboxId) {
        super("no process " + pid + " in sandbox " + sandboxId);
    }
}
