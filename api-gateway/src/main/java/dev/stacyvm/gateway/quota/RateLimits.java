package dev.stacyvm.gateway.quota;

import dev.stacyvm.gateway.auth.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The request rate limits: a {@link TokenBucket} per owner whose quota sets
 * {@code requests_per_minute}, and one per key and per tenant whose limits set it, so an
 * application that names a new end user on every request still meets its key's and its tenant's
 * limit. Every request takes a token from each bucket that applies; it is refused when any of them
 * is empty. Buckets live in this gateway's memory, so with several gateways each enforces the
 * limits on the requests it serves.
 */
@ApplicationScoped
public class RateLimits {

    static final int MAX_BUCKETS = 100_000;

    @Inject
    Quotas quotas;

    /** Buckets by scope and subject ({@code owner acme:bob:alice}, {@code key acme:bob}, {@code tenant acme}). */
    private final ConcurrentMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    /** What one request met: {@code subject} names the bucket that decided ({@code "key acme:bob"}). */
    public record Standing(String subject, TokenBucket.Take take) {
    }

    /**
     * Takes a token for the caller's request from the owner's, the key's and the tenant's bucket;
     * {@code null} when none of them is limited. The answer is the first refusal, or else the
     * bucket with the fewest tokens left.
     */
    public Standing take(Caller caller) {
        long now = System.nanoTime();
        if (buckets.size() > MAX_BUCKETS) {
            buckets.values().removeIf(bucket -> bucket.fullAt(now));
        }
        Standing standing = null;
        standing = tighter(standing, take("owner " + caller.ownerId(), quotas.of(caller.ownerId()).requestsPerMinute(), now));
        standing = tighter(standing, take("key " + caller.keyId(), quotas.ofKey(caller.keyId()).perMinute(), now));
        standing = tighter(standing, take("tenant " + caller.tenant(), quotas.ofTenant(caller.tenant()).perMinute(), now));
        return standing;
    }

    private Standing take(String subject, int perMinute, long now) {
        if (perMinute <= 0) {
            buckets.remove(subject);
            return null;
        }
        TokenBucket bucket = buckets.compute(subject,
                (name, existing) -> existing != null && existing.perMinute() == perMinute ? existing : new TokenBucket(perMinute, now));
        return new Standing(subject, bucket.take(now));
    }

    private static Standing tighter(Standing current, Standing next) {
        if (next == null) {
            return current;
        }
        if (current == null) {
            return next;
        }
        if (current.take().allowed() != next.take().allowed()) {
            return current.take().allowed() ? next : current;
        }
        return next.take().remaining() < current.take().remaining() ? next : current;
    }
}
