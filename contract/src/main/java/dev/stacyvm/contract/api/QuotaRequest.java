package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The body of {@code PUT /quotas/{owner}}: the limits to set for that owner. A field left out (or
 * {@code null}) keeps the default; durations are Go durations. {@code requests_per_minute} 0 means
 * no rate limit; {@code max_disk_mb} (MiB) bounds the {@code disk_mb} of all the owner's live sandboxes.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record QuotaRequest(
        Integer maxSandboxes,
        String maxTtl,
        String maxExecTimeout,
        Integer maxMemoryMb,
        Integer maxVcpus,
        Integer requestsPerMinute,
        Integer maxDiskMb) {
}
