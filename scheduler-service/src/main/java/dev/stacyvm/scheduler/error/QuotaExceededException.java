package dev.stacyvm.scheduler.error;

/** The owner's, its key's or its tenant's quota totals would be passed: answered {@code resource_limit}, with Retry-After when a destroy could make room. */
public final class QuotaExceededException extends SchedulingException {

    public QuotaExceededException(String message, Long retryAfterSeconds) {
        super(message, retryAfterSeconds);
    }
}
