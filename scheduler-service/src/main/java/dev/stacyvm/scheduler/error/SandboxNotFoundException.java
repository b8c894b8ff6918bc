package dev.stacyvm.scheduler.error;

/** No sandbox record has this id: answered {@code not_found}. */
public final class SandboxNotFoundException extends SchedulingException {

    public SandboxNotFoundException(String sandboxId) {
        super("sandbox not found: " + sandboxId);
    }
}
