package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * {@code GET /quotas/{owner}/usage}: what the owner's live sandboxes hold against their limits. Memory and disk are
 * in MiB; {@code disk_mb} is what the sandboxes declared, not what they have written.
 */
@Schema(description = "What GET /api/v1/quotas/{owner}/usage answers: what the owner's live sandboxes (creating, "
        + "running or unhealthy) hold against the owner's limits.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record QuotaUsage(
        @Schema(description = "The owner.", examples = "default:ci-bot:alice")
        String ownerId,
        @Schema(description = "Its live sandboxes.", examples = "3")
        long activeSandboxes,
        @Schema(description = "Its max_sandboxes.", examples = "50")
        int maxSandboxes,
        @Schema(description = "MiB: the sum of its live sandboxes' memory_mb.", examples = "1536")
        long memoryMb,
        @Schema(description = "Its max_memory_mb (MiB).", examples = "32768")
        int maxMemoryMb,
        @Schema(description = "The sum of its live sandboxes' vcpus.", examples = "3")
        long vcpus,
        @Schema(description = "Its max_vcpus.", examples = "32")
        int maxVcpus,
        @Schema(description = "MiB: the sum of its live sandboxes' disk_mb (what they may write, not what they have "
                + "written).", examples = "30720")
        long diskMb,
        @Schema(description = "Its max_disk_mb (MiB).", examples = "524288")
        Integer maxDiskMb) {
}
