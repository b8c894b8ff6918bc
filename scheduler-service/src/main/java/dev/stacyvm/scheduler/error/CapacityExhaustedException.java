package dev.stacyvm.scheduler.error;

/** A worker could hold the sandbox but none has room now: answered {@code capacity_exhausted} with Retry-After. */
public final class CapacityExhaustedException extends SchedulingException {

    public CapacityExhaustedException(String message, Long retryAfterSeconds) {
        super(message, retryAfterSeconds);
    }
}
