package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An owner's effective quota: its override where an administrator set one, the defaults for the
 * rest. {@code source} is {@code override} or {@code default}; {@code owner_id} is empty for the
 * defaults themselves. Durations are Go durations; {@code max_memory_mb} and {@code max_disk_mb} are in MiB;
 * {@code requests_per_minute} 0 is no rate limit.
 */
@Schema(description = "An owner's effective quota (StacyVM's REST API, with our additions): its override where an "
        + "administrator set one, the defaults for the rest.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QuotaView(
        @Schema(description = "The owner, {tenant}:{key} or {tenant}:{key}:{user}; empty for the defaults themselves.",
                examples = "default:ci-bot:alice")
        String ownerId,
        @Schema(description = "Live sandboxes the owner may have at once.", examples = "50")
        int maxSandboxes,
        @Schema(description = "The longest ttl, as a Go duration string; a longer one is capped to it.",
                examples = "24h0m0s")
        String maxTtl,
        @Schema(description = "The longest exec timeout, as a Go duration string; a longer one is refused.",
                examples = "1h0m0s")
        String maxExecTimeout,
        @Schema(description = "MiB of memory all the owner's live sandboxes may hold together.", examples = "32768")
        int maxMemoryMb,
        @Schema(description = "vCPUs all the owner's live sandboxes may hold together.", examples = "32")
        int maxVcpus,
        @Schema(description = "Requests per minute the owner may make; 0 is no rate limit.", examples = "0")
        int requestsPerMinute,
        @Schema(description = "override when an administrator set an override for the owner, default otherwise.",
                examples = "override")
        String source,
        @Schema(description = "When the override was last set: an ISO-8601 UTC instant; left out without one.")
        Instant updatedAt,
        @Schema(description = "MiB: the most the disk_mb of all the owner's live sandboxes may add up to.",
                examples = "524288")
        Integer maxDiskMb) {
}
