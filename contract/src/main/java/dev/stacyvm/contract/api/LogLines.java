package dev.stacyvm.contract.api;

/** Bounds of {@code GET /api/v1/sandboxes/{id}/logs?lines=N}. */
public final class LogLines {

    public static final int DEFAULT = 100;
    public static final int MAX = 10_000;

    private LogLines() {
    }

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
