package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code PUT /quotas/keys/{key}} and {@code PUT /quotas/tenants/{tenant}}: limits on
 * what all owners of one key (its own sandboxes and all its end users') or of one tenant hold
 * together, beside each owner's own quota. A field left out (or {@code null}) is no limit at that
 * scope; {@code max_memory_mb} and {@code max_disk_mb} are in MiB; {@code requests_per_minute} 0 is no rate limit.
 */
@Schema(description = "The body of PUT /api/v1/quotas/keys/{key} and PUT /api/v1/quotas/tenants/{tenant} "
        + "(administrators only): limits on what all owners of one key (its own sandboxes and all its end users') or "
        + "of one tenant hold together, beside each owner's own quota. The limits given replace the old ones whole; a "
        + "field left out or null is no limit at that scope.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ScopeQuotaRequest(
        @Schema(description = "Live sandboxes all its owners may have at once, 0 to 100000.", examples = "100")
        Integer maxSandboxes,
        @Schema(description = "MiB of memory all its owners' live sandboxes may hold together, 0 to 16777216.",
                examples = "65536")
        Integer maxMemoryMb,
        @Schema(description = "vCPUs all its owners' live sandboxes may hold together, 0 to 65536.", examples = "64")
        Integer maxVcpus,
        @Schema(description = "Requests per minute all its owners may make together, 0 to 1000000; 0 is no rate "
                + "limit.", examples = "6000")
        Integer requestsPerMinute,
        @Schema(description = "MiB: the most the disk_mb of all its owners' live sandboxes may add up to, 0 to "
                + "2147483647.", examples = "1048576")
        Integer maxDiskMb) {
}
