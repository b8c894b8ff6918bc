package dev.stacyvm.scheduler.error;

/** The worker failed to run the sandbox: answered {@code provider_error}. */
public final class ProviderFailureException extends SchedulingException {

    public ProviderFailureException(String message) {
        super(message);
    }
}
