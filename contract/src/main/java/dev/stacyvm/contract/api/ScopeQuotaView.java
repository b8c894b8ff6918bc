package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The limits set for one key or one tenant: {@code scope} is {@code key} or {@code tenant},
 * {@code subject} the key id ({@code tenant:key}) or the tenant. A {@code null} limit is none;
 * {@code source} is {@code override} when an administrator set them, {@code default} otherwise
 * (no limits at all); {@code max_memory_mb} is in MiB.
 */
@Schema(description = "The limits set for one key or one tenant: what all their owners may hold together. A null "
        + "limit is none.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ScopeQuotaView(
        @Schema(description = "key or tenant.", examples = "key")
        String scope,
        @Schema(description = "The key id ({tenant}:{key}, the key's name with % : @ percent-encoded) or the tenant.",
                examples = "acme:ci-bot")
        String subject,
        @Schema(description = "Live sandboxes all its owners may have at once; null: no limit.", examples = "100")
        Integer maxSandboxes,
        @Schema(description = "MiB of memory all its owners' live sandboxes may hold together; null: no limit.",
                examples = "65536")
        Integer maxMemoryMb,
        @Schema(description = "vCPUs all its owners' live sandboxes may hold together; null: no limit.",
                examples = "64")
        Integer maxVcpus,
        @Schema(description = "Requests per minute all its owners may make together; 0 or null: no rate limit.",
                examples = "6000")
        Integer requestsPerMinute,
        @Schema(description = "override when an administrator set limits, default otherwise (no limits at all).",
                examples = "override")
        String source,
        @Schema(description = "When the limits were last set: an ISO-8601 UTC instant; null without an override.")
        Instant updatedAt,
        @Schema(description = "MiB: the most the disk_mb of all its owners' live sandboxes may add up to; null: no "
                + "limit.", examples = "1048576")
        Integer maxDiskMb) {
}
