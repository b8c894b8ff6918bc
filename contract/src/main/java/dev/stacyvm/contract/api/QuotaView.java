package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/**
 * An owner's effective quota: its override where an administrator set one, the defaults for the
 * rest. {@code source} is {@code override} or {@code default}; {@code owner_id} is empty for the
 * defaults themselves. Durations are Go durations; {@code requests_per_minute} 0 is no rate limit.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QuotaView(
        String ownerId,
        int maxSandboxes,
        String maxTtl,
        String maxExecTimeout,
        int maxMemoryMb,
        int maxVcpus,
        int requestsPerMinute,
        String source,
        Instant updatedAt,
        Integer maxDiskMb) {
}
