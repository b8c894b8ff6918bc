package dev.stacyvm.client;

/**
 * Reads one {@code text/event-stream} connection line by line, as WHATWG HTML ("Server-sent events",
 * "Interpreting an event stream") says: {@code data:} lines accumulate (joined by line feeds),
 * {@code id:} sets the last event id, {@code event:} the type, {@code retry:} the reconnection time;
 * a line starting with a colon is a comment; an empty line dispatches what has accumulated; any other
 * field is ignored. Lines come without their terminator (CR, LF or CRLF), as
 * {@link java.io.BufferedReader#readLine()} splits them.
 *
 * <p>One parser per connection. Not thread-safe.
 */
final class ServerSentEventParser {

    /** A dispatched event: its type ({@code message} when the stream named none), its data, and the last event id. */
    record Message(String type, String data, String lastEventId) {
    }

    private final StringBuilder data = new StringBuilder();
    private String type = "";
    private String idBuffer;
    private String lastEventId;
    private Long retryMillis;
    private boolean firstLine = true;

    /**
     * A parser for a new connection.
     *
     * @param lastEventId the id the stream is resumed from (null for none). The standard starts each connection's
     *                    id buffer empty, so an event without {@code id:} would forget where the stream stands; starting
     *                    from the resumed id keeps the cursor instead.
     */
    ServerSentEventParser(String lastEventId) {
        this.idBuffer = lastEventId;
        this.lastEventId = lastEventId;
    }

    /**
     * Takes one line; answers the event it completes, or null.
     *
     * @param line the line without its terminator
     */
    Message line(String line) {
        if (firstLine) {
            firstLine = false;
            if (line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
        }
        if (line.isEmpty()) {
            return dispatch();
        }
        if (line.charAt(0) == ':') {
            return null;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "data" -> data.append(value).append('\n');
            case "event" -> type = value;
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    idBuffer = value.isEmpty() ? null : value;
                }
            }
            case "retry" -> {
                if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    try {
                        retryMillis = Long.parseLong(value);
                    } catch (NumberFormatException tooLarge) {
                        // not a time anyone means: the last one stays
                    }
                }
            }
            default -> {
                // a field this parser does not know is ignored, as the standard says
            }
        }
        return null;
    }

    private Message dispatch() {
        // the id counts even for a block without data: it moves where a reconnection resumes
        lastEventId = idBuffer;
        if (data.isEmpty()) {
            type = "";
            return null;
        }
        data.setLength(data.length() - 1);
        Message message = new Message(type.isEmpty() ? "message" : type, data.toString(), lastEventId);
        data.setLength(0);
        type = "";
        return message;
    }

    /** The id of the last block dispatched (or the resumed one): what to send as {@code Last-Event-ID}; null for none. */
    String lastEventId() {
        return lastEventId;
    }

    /** The reconnection time the stream asked for with {@code retry:}, in milliseconds; null when it said none. */
    Long retryMillis() {
        return retryMillis;
    }
}
