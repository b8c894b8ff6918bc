package dev.stacyvm.gateway.service;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * How many records of one kind the audit log takes in a minute: at most {@code perSubject} for one
 * subject (a caller, a source address) and {@code total} for all of them together; beyond that the
 * requests are only counted, and each subject's count comes back once its minute is over, to be
 * recorded as one summary. A flood (of guesses, of bad credentials) thus costs the log a bounded
 * number of rows whatever its size: at most {@code total} records and one summary for each subject
 * that had one, plus one. At most {@code maxSubjects} subjects are told apart in a minute, and none
 * once {@code total} is spent; the others share one window, {@link #OTHERS} (an attacker with many
 * addresses is still counted). Thread-safe.
 */
final class AuditBudget {

    /** The subject of the shared window once {@code maxSubjects} are told apart. */
    static final String OTHERS = "(other subjects)";
    private static final long MINUTE_MILLIS = 60_000;

    /**
     * A subject's minute that is over, with what it only counted; {@code first} is its first
     * request's origin (for {@link #OTHERS}, of whichever subject came first: not to be blamed).
     */
    record Overflow(String subject, AuditTrail.Origin first, long minuteStartMillis, int unrecorded) {
    }

    private static final class Window {
        final AuditTrail.Origin first;
        int recorded;
        int unrecorded;

        Window(AuditTrail.Origin first) {
            this.first = first;
        }
    }

    private final int perSubject;
    private final int total;
    private final int maxSubjects;
    private final LongSupplier clock;
    private final java.util.Map<String, Window> windows = new java.util.HashMap<>();
    private long minute = -1;
    private int recordedThisMinute;
    private List<Overflow> pending = new ArrayList<>();

    AuditBudget(int perSubject, int total, int maxSubjects, LongSupplier clockMillis) {
        this.perSubject = perSubject;
        this.total = total;
        this.maxSubjects = maxSubjects;
        this.clock = clockMillis;
    }

    /**
     * Takes one record for {@code subject}: true when it is to be written, false when it is only
     * counted.
     */
    synchronized boolean take(String subject, AuditTrail.Origin origin) {
        roll();
        Window window = windows.get(subject);
        if (window == null) {
            // a subject of its own only while records are left: summaries stay as few as the records
            String kept = windows.size() < maxSubjects && recordedThisMinute < total ? subject : OTHERS;
            window = windows.computeIfAbsent(kept, any -> new Window(origin));
        }
        if (window.recorded < perSubject && recordedThisMinute < total) {
            window.recorded++;
            recordedThisMinute++;
            return true;
        }
        window.unrecorded++;
        return false;
    }

    /** The windows of minutes that are over and counted something, once each; their memory is let go. */
    synchronized List<Overflow> ended() {
        roll();
        List<Overflow> ended = pending;
        pending = new ArrayList<>();
        return ended;
    }

    private void roll() {
        long now = clock.getAsLong() / MINUTE_MILLIS;
        if (now == minute) {
            return;
        }
        long start = minute * MINUTE_MILLIS;
        windows.forEach((subject, window) -> {
            if (window.unrecorded > 0) {
                pending.add(new Overflow(subject, window.first, start, window.unrecorded));
            }
        });
        windows.clear();
        recordedThisMinute = 0;
        minute = now;
    }
}
