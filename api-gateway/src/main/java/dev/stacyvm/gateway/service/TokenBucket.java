package dev.stacyvm.gateway.service;

/**
 * A token bucket of {@code perMinute} tokens that refills continuously at {@code perMinute} a
 * minute: a client may burst up to a minute's worth, then goes at the steady rate. Thread-safe.
 */
public final class TokenBucket {

    /** What one request met: whether it may go ahead, the tokens left, and when the next one comes. */
    public record Take(boolean allowed, int limit, int remaining, long retryAfterSeconds) {
    }

    private final int perMinute;
    private final double tokensPerNano;
    private double tokens;
    private long refilledAt;

    public TokenBucket(int perMinute, long nowNanos) {
        if (perMinute < 1) {
            throw new IllegalArgumentException("perMinute must be positive");
        }
        this.perMinute = perMinute;
        this.tokensPerNano = perMinute / 60e9;
        this.tokens = perMinute;
        this.refilledAt = nowNanos;
    }

    public int perMinute() {
        return perMinute;
    }

    public synchronized Take take(long nowNanos) {
        if (nowNanos > refilledAt) {
            tokens = Math.min(perMinute, tokens + (nowNanos - refilledAt) * tokensPerNano);
            refilledAt = nowNanos;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return new Take(true, perMinute, (int) tokens, 0);
        }
        long nanosToNext = (long) Math.ceil((1 - tokens) / tokensPerNano);
        return new Take(false, perMinute, 0, Math.max(1, (nanosToNext + 999_999_999L) / 1_000_000_000L));
    }

    /** Whether the bucket is full again, so forgetting it loses nothing. */
    public synchronized boolean fullAt(long nowNanos) {
        return tokens + (nowNanos - refilledAt) * tokensPerNano >= perMinute;
    }
}
