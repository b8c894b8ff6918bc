package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/**
 * The limits set for one key or one tenant: {@code scope} is {@code key} or {@code tenant},
 * {@code subject} the key id ({@code tenant:key}) or the tenant. A {@code null} limit is none;
 * {@code source} is {@code override} when an administrator set them, {@code default} otherwise
 * (no limits at all); {@code max_memory_mb} is in MiB.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ScopeQuotaView(
        String scope,
        String subject,
        Integer maxSandboxes,
        Integer maxMemoryMb,
        Integer maxVcpus,
        Integer requestsPerMinute,
        String source,
        Instant updatedAt,
        Integer maxDiskMb) {
}
