package dev.stacyvm.scheduler.error;

/** No worker can do it now (none ready, the sandbox's worker unregistered or failing): answered {@code unavailable}, with Retry-After when given. */
public final class WorkerUnavailableException extends SchedulingException {

    public WorkerUnavailableException(String message, Long retryAfterSeconds) {
        super(message, retryAfterSeconds);
    }
}
