package dev.stacyvm.contract.internal;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * An extend as the gateway asks the scheduler for it: push {@code expires_at} back by
 * {@code extend_by_seconds} from whichever is later, now or the current expiry, but never past
 * now plus {@code max_ttl_seconds}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TtlExtension(long extendBySeconds, long maxTtlSeconds) {
}
