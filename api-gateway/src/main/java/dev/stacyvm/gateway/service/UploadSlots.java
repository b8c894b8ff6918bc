package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the uploads each owner and each API key has under way, so that one caller cannot hold
 * more than {@code stacyvm.gateway.uploads.max-concurrent-per-caller} of the gateway's threads
 * with bodies it sends slowly. Both counts are taken together or not at all.
 */
@ApplicationScoped
public class UploadSlots {

    private final ConcurrentHashMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    @Inject
    GatewayConfig config;

    /** A taken slot; release it exactly once when the upload's request ends. */
    public interface Slot {
        void release();
    }

    /**
     * Takes a slot for the owner and one for the key.
     *
     * @throws ApiException {@code too_many_uploads} (429, with Retry-After) when either already
     *         has the maximum under way
     */
    public Slot take(String ownerId, String keyId) {
        String owner = "owner:" + ownerId;
        String key = "key:" + keyId;
        int max = config.uploads().maxConcurrentPerCaller();
        if (!increment(owner, max)) {
            throw refused("owner " + ownerId, max);
        }
        if (!increment(key, max)) {
            decrement(owner);
            throw refused("API key " + keyId, max);
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                decrement(key);
                decrement(owner);
            }
        };
    }

    /** Uploads under way for the owner (for tests and diagnostics). */
    public int underWay(String ownerId) {
        AtomicInteger count = inFlight.get("owner:" + ownerId);
        return count == null ? 0 : count.get();
    }

    private ApiException refused(String who, int max) {
        return new ApiException(ErrorCode.TOO_MANY_UPLOADS, who + " already has " + max
                + " uploads under way; wait for one to finish", Math.max(1, config.uploads().retryAfter().toSeconds()));
    }

    private boolean increment(String name, int max) {
        boolean[] taken = new boolean[1];
        inFlight.compute(name, (ignored, count) -> {
            AtomicInteger current = count == null ? new AtomicInteger() : count;
            if (current.get() < max) {
                current.incrementAndGet();
                taken[0] = true;
            }
            return current;
        });
        return taken[0];
    }

    private void decrement(String name) {
        // an entry at zero is dropped, so the map holds only callers with uploads under way
        inFlight.computeIfPresent(name, (ignored, count) -> count.decrementAndGet() <= 0 ? null : count);
    }
}
