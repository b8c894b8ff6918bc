package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * {@code GET /api/v1/sandboxes/{id}/stats}: what a running sandbox uses now. StacyVM's
 * {@code cpu_pct}, {@code mem_bytes} and {@code mem_limit_bytes}, plus its disk, processes and
 * network counters. The worker answers it from the engine's own sample (Docker's stats, the
 * figures {@code docker stats} shows) and the sandbox's writable layer.
 */
@Schema(description = "What a running sandbox uses now.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SandboxStats(
        String sandboxId,
        @Schema(description = "When the figures were sampled.")
        Instant timestamp,
        @Schema(description = "CPU used over the last sample interval (about a second), in percent of one core: "
                + "a sandbox that keeps two cores busy is at 200.", examples = "97.5")
        double cpuPct,
        @Schema(description = "The sandbox's vCPUs: cpu_pct can reach 100 times this.", examples = "1")
        int vcpus,
        @Schema(description = "Memory in use, page cache that can be dropped left out (as docker stats counts it), in bytes.")
        long memBytes,
        @Schema(description = "The memory limit, in bytes.")
        long memLimitBytes,
        @Schema(description = "Bytes the sandbox has written to its disk (everything counted against disk_mb).")
        long diskUsedBytes,
        @Schema(description = "The disk limit, in bytes (disk_mb); absent when the host does not enforce one.")
        Long diskLimitBytes,
        @Schema(description = "Processes (tasks) running in the sandbox.")
        long pids,
        @Schema(description = "The sandbox's process limit.")
        long pidsLimit,
        @Schema(description = "Bytes received on the sandbox's network interfaces since it started; 0 without a network.")
        long netRxBytes,
        @Schema(description = "Bytes sent on the sandbox's network interfaces since it started; 0 without a network.")
        long netTxBytes) {

    /** The same figures with the disk the sandbox has written. */
    public SandboxStats withDiskUsed(long bytes) {
        return new SandboxStats(sandboxId, timestamp, cpuPct, vcpus, memBytes, memLimitBytes, bytes, diskLimitBytes, pids,
                pidsLimit, netRxBytes, netTxBytes);
    }

    /** The same figures with the disk limit the sandbox was created with (the scheduler's record knows it). */
    public SandboxStats withDiskLimit(Long bytes) {
        return new SandboxStats(sandboxId, timestamp, cpuPct, vcpus, memBytes, memLimitBytes, diskUsedBytes, bytes, pids,
                pidsLimit, netRxBytes, netTxBytes);
    }
}
