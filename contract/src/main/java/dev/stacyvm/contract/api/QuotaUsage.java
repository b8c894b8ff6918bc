package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** {@code GET /quotas/{owner}/usage}: what the owner's live sandboxes hold against their limits. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record QuotaUsage(
        String ownerId,
        long activeSandboxes,
        int maxSandboxes,
        long memoryMb,
        int maxMemoryMb,
        long vcpus,
        int maxVcpus,
        long diskMb,
        Integer maxDiskMb) {
}
