package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code PUT /quotas/{owner}}: the limits to set for that owner. A field left out (or
 * {@code null}) keeps the default; durations are Go durations. {@code requests_per_minute} 0 means
 * no rate limit; {@code max_disk_mb} (MiB) bounds the {@code disk_mb} of all the owner's live sandboxes.
 */
@Schema(description = "The body of PUT /api/v1/quotas/{owner} (administrators only; StacyVM's REST API, with our "
        + "additions): the owner's override, replaced whole. A field left out or null keeps the default; the "
        + "defaults named here are the gateway's, which an operator may configure.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record QuotaRequest(
        @Schema(description = "Live sandboxes the owner may have at once, 0 to 100000. Default 50.", examples = "10")
        Integer maxSandboxes,
        @Schema(description = "The longest ttl, as a Go duration string from 1s to 720h: a longer ttl is capped to "
                + "it. Default 24h.", examples = "2h")
        String maxTtl,
        @Schema(description = "The longest exec timeout, as a Go duration string from 1s to 24h: a longer one is "
                + "refused with 429 resource_limit. Default 1h.", examples = "10m")
        String maxExecTimeout,
        @Schema(description = "MiB of memory all the owner's live sandboxes may hold together, 0 to 16777216. "
                + "Default 32768.", examples = "8192")
        Integer maxMemoryMb,
        @Schema(description = "vCPUs all the owner's live sandboxes may hold together, 0 to 65536. Default 32.",
                examples = "8")
        Integer maxVcpus,
        @Schema(description = "Requests the owner may make per minute (a token bucket with a minute's worth of "
                + "burst), 0 to 1000000; 0 is no rate limit. Default 0.", examples = "600")
        Integer requestsPerMinute,
        @Schema(description = "MiB: the most the disk_mb of all the owner's live sandboxes may add up to, 0 to "
                + "2147483647. Default 524288.", examples = "102400")
        Integer maxDiskMb) {
}
