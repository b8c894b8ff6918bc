package dev.stacyvm.support.limits;

/**
 * A request body the {@link BodyWatchdog} watches for idleness: how long it has been waiting for
 * the client, and what to do when that is too long.
 */
interface WatchedBody {

    /** Nanoseconds the body has waited for the client's next byte; 0 while nothing waits on it. */
    long waitingNanos(long now);

    /** Ends the request as idle ({@code 408 request_timeout}); {@code idleMillis} is the limit broken. */
    void timeOut(long idleMillis);
}
