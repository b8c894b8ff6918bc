package dev.stacyvm.gateway.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The per-owner request rate limit: a {@link TokenBucket} per owner whose quota sets
 * {@code requests_per_minute}. Buckets live in this gateway's memory, so with several gateways
 * each enforces the limit on the requests it serves.
 */
@ApplicationScoped
public class RateLimits {

    static final int MAX_BUCKETS = 100_000;

    @Inject
    Quotas quotas;

    private final ConcurrentMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    /** Takes a token for the owner's request; {@code null} when the owner has no rate limit. */
    public TokenBucket.Take take(String ownerId) {
        int perMinute = quotas.of(ownerId).requestsPerMinute();
        if (perMinute <= 0) {
            buckets.remove(ownerId);
            return null;
        }
        long now = System.nanoTime();
        if (buckets.size() > MAX_BUCKETS) {
            buckets.values().removeIf(bucket -> bucket.fullAt(now));
        }
        TokenBucket bucket = buckets.compute(ownerId,
                (owner, existing) -> existing != null && existing.perMinute() == perMinute ? existing : new TokenBucket(perMinute, now));
        return bucket.take(now);
    }
}
