package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The body of {@code PUT /quotas/keys/{key}} and {@code PUT /quotas/tenants/{tenant}}: limits on
 * what all owners of one key (its own sandboxes and all its end users') or of one tenant hold
 * together, beside each owner's own quota. A field left out (or {@code null}) is no limit at that
 * scope; {@code max_memory_mb} and {@code max_disk_mb} are in MiB; {@code requests_per_minute} 0 is no rate limit.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ScopeQuotaRequest(
        Integer maxSandboxes,
        Integer maxMemoryMb,
        Integer maxVcpus,
        Integer requestsPerMinute,
        Integer maxDiskMb) {
}
