package dev.stacyvm.scheduler.error;

/** No worker is registered under this id: answered {@code not_found}. */
public final class WorkerNotFoundException extends SchedulingException {

    public WorkerNotFoundException(String workerId) {
        super("worker not found: " + workerId);
    }
}
