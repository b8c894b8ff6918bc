package dev.stacyvm.gateway.quota;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;

/**
 * A token bucket of {@code perMinute} tokens that refills continuously at {@code perMinute} a
 * minute: a client may burst up to a minute's worth, then goes at the steady rate. Bucket4j keeps
 * the bucket (greedy refill); this class gives it the caller's clock and answers what a rate-limit
 * answer needs (the limit, the tokens left, whole seconds to wait). Thread-safe.
 */
public final class TokenBucket {

    /** What one request met: whether it may go ahead, the tokens left, and when the next one comes. */
    public record Take(boolean allowed, int limit, int remaining, long retryAfterSeconds) {
    }

    private static final long SECOND = 1_000_000_000L;

    private final int perMinute;
    private final Bucket bucket;
    /** The time of the call under way (nanoseconds, never going back), the bucket's clock; guarded by this. */
    private long now;

    /**
     * @param perMinute the bucket's size and its refill per minute, at least 1
     * @param nowNanos the time it is made, on the clock every later call gives ({@link System#nanoTime()})
     */
    public TokenBucket(int perMinute, long nowNanos) {
        if (perMinute < 1) {
            throw new IllegalArgumentException("perMinute must be positive");
        }
        this.perMinute = perMinute;
        this.now = nowNanos;
        this.bucket = Bucket.builder()
                .addLimit(limit -> limit.capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)))
                .withCustomTimePrecision(new TimeMeter() {
                    @Override
                    public long currentTimeNanos() {
                        return now;
                    }

                    @Override
                    public boolean isWallClockBased() {
                        return false;
                    }
                })
                .build();
    }

    public int perMinute() {
        return perMinute;
    }

    /** Takes a token at {@code nowNanos}; refused, it says in whole seconds (at least 1) when one comes. */
    public synchronized Take take(long nowNanos) {
        now = Math.max(now, nowNanos);
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            return new Take(true, perMinute, (int) probe.getRemainingTokens(), 0);
        }
        long wait = probe.getNanosToWaitForRefill();
        return new Take(false, perMinute, 0, Math.max(1, (wait + SECOND - 1) / SECOND));
    }

    /** Whether the bucket is full again at {@code nowNanos}, so forgetting it loses nothing. */
    public synchronized boolean fullAt(long nowNanos) {
        now = Math.max(now, nowNanos);
        return bucket.getAvailableTokens() >= perMinute;
    }
}
