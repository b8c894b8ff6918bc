package dev.stacyvm.scheduler.error;

/** The record is in a state that does not allow it (a transition the state machine forbids, a second live instance of a worker): answered {@code conflict}. */
public final class StateConflictException extends SchedulingException {

    public StateConflictException(String message) {
        super(message);
    }
}
