package dev.stacyvm.scheduler.error;

/**
 * Why the scheduler could not do what it was asked, as its services say it: one type per kind of
 * failure, none of them HTTP-shaped. The REST layer maps each kind to its error code once
 * ({@code dev.stacyvm.scheduler.rest.SchedulingExceptionMapper}). The message is shown to the
 * caller as it is, so it never carries an internal cause; {@link #retryAfterSeconds()} is when a
 * retry could succeed (seconds; null when waiting would not help). No stack trace is kept, since
 * these are answers, not bugs.
 */
public abstract sealed class SchedulingException extends RuntimeException
        permits InvalidRequestException, SandboxNotFoundException, WorkerNotFoundException, CredentialNotFoundException,
        StateConflictException, WorkerUnavailableException, ExceedsHostCapacityException, CapacityExhaustedException,
        QuotaExceededException, ProviderFailureException {

    private final Long retryAfterSeconds;

    protected SchedulingException(String message, Long retryAfterSeconds) {
        super(message, null, false, false);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    protected SchedulingException(String message) {
        this(message, null);
    }

    /** Seconds after which the same request could succeed; null when waiting would not help. */
    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
