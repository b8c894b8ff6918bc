package dev.stacyvm.worker.error;

/** A sandbox already runs as many background processes as it may: answered {@code resource_limit}. */
public final class BackgroundLimitException extends SandboxOperationException {

    public BackgroundLimitException(String sandboxId, int limit) {
        super("sandbox " + sandboxId + " already runs " + limit + " background processes, the most it may; "
                + "kill one (DELETE /sandboxes/{id}/exec/background/{process_id}) first");
    }
}
