package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * {@code GET /quotas/keys/{key}/usage} and {@code /quotas/tenants/{tenant}/usage}: what all live
 * sandboxes of that key's or tenant's owners hold against its limits ({@code null}: no limit).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ScopeUsage(
        String scope,
        String subject,
        long activeSandboxes,
        Integer maxSandboxes,
        long memoryMb,
        Integer maxMemoryMb,
        long vcpus,
        Integer maxVcpus,
        long diskMb,
        Integer maxDiskMb) {
}
