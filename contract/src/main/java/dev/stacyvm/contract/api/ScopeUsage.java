package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * {@code GET /quotas/keys/{key}/usage} and {@code /quotas/tenants/{tenant}/usage}: what all live
 * sandboxes of that key's or tenant's owners hold against its limits ({@code null}: no limit). Memory and disk are
 * in MiB; {@code disk_mb} is what the sandboxes declared, not what they have written.
 */
@Schema(description = "What GET /api/v1/quotas/keys/{key}/usage and /api/v1/quotas/tenants/{tenant}/usage answer: "
        + "what all live sandboxes of that key's or tenant's owners hold against its limits (null: no limit).")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ScopeUsage(
        @Schema(description = "key or tenant.", examples = "tenant")
        String scope,
        @Schema(description = "The key id ({tenant}:{key}) or the tenant.", examples = "acme")
        String subject,
        @Schema(description = "Its owners' live sandboxes.", examples = "12")
        long activeSandboxes,
        @Schema(description = "Its max_sandboxes; null: no limit.", examples = "100")
        Integer maxSandboxes,
        @Schema(description = "MiB: the sum of its owners' live sandboxes' memory_mb.", examples = "6144")
        long memoryMb,
        @Schema(description = "Its max_memory_mb (MiB); null: no limit.", examples = "65536")
        Integer maxMemoryMb,
        @Schema(description = "The sum of its owners' live sandboxes' vcpus.", examples = "12")
        long vcpus,
        @Schema(description = "Its max_vcpus; null: no limit.", examples = "64")
        Integer maxVcpus,
        @Schema(description = "MiB: the sum of its owners' live sandboxes' disk_mb (what they may write, not what they "
                + "have written).", examples = "122880")
        long diskMb,
        @Schema(description = "Its max_disk_mb (MiB); null: no limit.", examples = "1048576")
        Integer maxDiskMb) {
}
