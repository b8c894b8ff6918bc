package dev.stacyvm.gateway.events;

import dev.stacyvm.contract.api.ApiException;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Where an event stream stands in the sandbox events topic: for each partition, the offset of the
 * next record it has not yet passed. It is the SSE {@code id:} of every event the stream sends, and
 * what a client sends back as {@code Last-Event-ID} to resume after exactly that event, on any
 * gateway (offsets are the topic's, not a gateway's). Spelled {@code partition:offset} pairs joined
 * by commas, in partition order: {@code 0:12,1:7,2:33}.
 *
 * <p>Not thread-safe: one stream owns one cursor.
 */
public final class EventCursor {

    /** A cursor names at most this many partitions; a longer one is not ours. */
    static final int MAX_PARTITIONS = 1024;
    private static final Pattern PAIR = Pattern.compile("(\\d{1,6}):(\\d{1,19})");

    private final TreeMap<Integer, Long> next = new TreeMap<>();

    /** An empty cursor: every partition from its start. */
    public EventCursor() {
    }

    /**
     * Reads a cursor as {@link #toString} writes it.
     *
     * @throws ApiException {@code bad_request} naming {@code what} (the header or parameter it came
     *                      from) when it is not one
     */
    public static EventCursor parse(String text, String what) {
        EventCursor cursor = new EventCursor();
        String trimmed = text.trim();
        String[] pairs = trimmed.isEmpty() ? new String[0] : trimmed.split(",", -1);
        if (pairs.length == 0 || pairs.length > MAX_PARTITIONS) {
            throw invalid(what);
        }
        for (String pair : pairs) {
            var match = PAIR.matcher(pair.trim());
            if (!match.matches()) {
                throw invalid(what);
            }
            long offset;
            try {
                offset = Long.parseLong(match.group(2));
            } catch (NumberFormatException tooLarge) {
                throw invalid(what);
            }
            if (cursor.next.put(Integer.parseInt(match.group(1)), offset) != null) {
                throw invalid(what);
            }
        }
        return cursor;
    }

    private static ApiException invalid(String what) {
        return ApiException.badRequest(what + " is not an event id of this stream: expected partition:offset pairs "
                + "joined by commas, as the id: of an event it sent (for example 0:12,1:7,2:33)");
    }

    /** The next offset to read in {@code partition}, or null when the cursor does not name it. */
    public Long next(int partition) {
        return next.get(partition);
    }

    /** Moves past the record at {@code offset} of {@code partition}. */
    public void passed(int partition, long offset) {
        next.merge(partition, offset + 1, Math::max);
    }

    /** Sets where {@code partition} stands (the stream's start). */
    public void at(int partition, long nextOffset) {
        next.put(partition, nextOffset);
    }

    /** Each named partition's next offset, in partition order. */
    public Map<Integer, Long> positions() {
        return Map.copyOf(next);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        next.forEach((partition, offset) -> {
            if (!text.isEmpty()) {
                text.append(',');
            }
            text.append(partition).append(':').append(offset);
        });
        return text.toString();
    }
}
