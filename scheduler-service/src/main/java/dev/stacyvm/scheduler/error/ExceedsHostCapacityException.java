package dev.stacyvm.scheduler.error;

/** No worker's host could hold the sandbox even empty: answered {@code exceeds_host_capacity}; waiting does not help. */
public final class ExceedsHostCapacityException extends SchedulingException {

    public ExceedsHostCapacityException(String message) {
        super(message);
    }
}
