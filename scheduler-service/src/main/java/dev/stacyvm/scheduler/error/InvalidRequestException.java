package dev.stacyvm.scheduler.error;

/** The request itself is wrong (a missing field, a malformed worker endpoint): answered {@code bad_request}. */
public final class InvalidRequestException extends SchedulingException {

    public InvalidRequestException(String message) {
        super(message);
    }
}
