package dev.stacyvm.gateway.quota;

import dev.stacyvm.contract.api.QuotaView;
import dev.stacyvm.contract.internal.OwnerLimits;
import dev.stacyvm.contract.time.GoDuration;
import java.time.Duration;
import java.time.Instant;

/**
 * One owner's effective limits: an administrator's override where one is set, the defaults for the
 * rest. {@code requestsPerMinute} 0 means no rate limit; {@code maxDiskMb} is in MiB.
 */
public record OwnerQuota(
        String ownerId,
        int maxSandboxes,
        Duration maxTtl,
        Duration maxExecTimeout,
        int maxMemoryMb,
        int maxVcpus,
        int requestsPerMinute,
        boolean override,
        Instant updatedAt,
        int maxDiskMb) {

    /** The totals the scheduler enforces at create. */
    public OwnerLimits limits() {
        return new OwnerLimits(maxSandboxes, maxMemoryMb, maxVcpus, maxDiskMb);
    }

    public QuotaView view() {
        return new QuotaView(ownerId, maxSandboxes, GoDuration.format(maxTtl), GoDuration.format(maxExecTimeout),
                maxMemoryMb, maxVcpus, requestsPerMinute, override ? "override" : "default", updatedAt, maxDiskMb);
    }
}
