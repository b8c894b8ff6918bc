package dev.stacyvm.contract.api;

/**
 * Bounds of {@code GET /api/v1/sandboxes/{id}/logs?lines=N}: at most {@link #MAX} lines, and at
 * most the worker's {@code logs-max-bytes} bytes of JSON. When older lines had to be left out (or a
 * line cut) to stay within the bytes, the answer's first element is {@link #TRUNCATED_MARKER} and
 * the header {@link #TRUNCATED_HEADER} is {@code true}.
 */
public final class LogLines {

    /** The most lines an answer holds when the request names no number. */
    public static final int DEFAULT = 100;
    /** The most lines a request may ask for. */
    public static final int MAX = 10_000;
    /** {@code true} when the answer left lines out or cut one to stay within its byte bound. */
    public static final String TRUNCATED_HEADER = "X-StacyVM-Logs-Truncated";
    /** The first element of an answer that was truncated to its byte bound. */
    public static final String TRUNCATED_MARKER =
            "[stacyvm] logs truncated: earlier output left out to stay within the byte limit";

    private LogLines() {
    }

    /**
     * The lines to answer: {@code requested}, or {@link #DEFAULT} when it is null.
     *
     * @throws ApiException bad_request for a number below 1 or above {@link #MAX}
     */
    public static int bounded(Integer requested) {
        if (requested == null) {
            return DEFAULT;
        }
        if (requested < 1 || requested > MAX) {
            throw ApiException.badRequest("lines must be between 1 and " + MAX);
        }
        return requested;
    }
}
