package dev.stacyvm.contract.internal;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The totals one owner's live sandboxes may reach: their number, memory, vCPUs and disk
 * ({@code max_disk_mb}, MiB; {@code null}: no limit on disk). The gateway
 * resolves them from the owner's quota; the scheduler enforces them atomically at create, and the
 * admission route answers with the same {@link #refusal} beforehand.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record OwnerLimits(int maxSandboxes, int maxMemoryMb, int maxVcpus, Integer maxDiskMb) {

    /** Limits without a disk limit. */
    public OwnerLimits(int maxSandboxes, int maxMemoryMb, int maxVcpus) {
        this(maxSandboxes, maxMemoryMb, maxVcpus, null);
    }

    /**
     * Why one more sandbox of {@code memoryMb} and {@code vcpus} would pass these limits given the
     * owner's {@code usage}, or {@code null} when it fits.
     */
    public String refusal(OwnerUsage usage, int memoryMb, int vcpus) {
        return refusal("owner " + usage.ownerId(), usage, memoryMb, vcpus, 0);
    }

    /** The same for a sandbox that also asks for {@code diskMb} MiB of disk. */
    public String refusal(OwnerUsage usage, int memoryMb, int vcpus, int diskMb) {
        return refusal("owner " + usage.ownerId(), usage, memoryMb, vcpus, diskMb);
    }

    /**
     * The same for a wider scope, the key or the tenant an owner belongs to: {@code subject} names it
     * in the reason (e.g. {@code "key acme:bob"}); {@code usage} is what all its owners hold.
     */
    public String refusal(String subject, OwnerUsage usage, int memoryMb, int vcpus) {
        return refusal(subject, usage, memoryMb, vcpus, 0);
    }

    /** The same for a wider scope, for a sandbox that also asks for {@code diskMb} MiB of disk. */
    public String refusal(String subject, OwnerUsage usage, int memoryMb, int vcpus, int diskMb) {
        String owner = subject;
        if (usage.sandboxes() + 1 > maxSandboxes) {
            return owner + " has " + usage.sandboxes() + " of at most " + maxSandboxes + " live sandboxes";
        }
        if (usage.memoryMb() + memoryMb > maxMemoryMb) {
            return owner + " uses " + usage.memoryMb() + " MB of at most " + maxMemoryMb
                    + " MB of memory; this sandbox asks for " + memoryMb + " MB more";
        }
        if (usage.vcpus() + vcpus > maxVcpus) {
            return owner + " uses " + usage.vcpus() + " of at most " + maxVcpus + " vCPUs; this sandbox asks for "
                    + vcpus + " more";
        }
        if (maxDiskMb != null && usage.diskMb() + diskMb > maxDiskMb) {
            return owner + " uses " + usage.diskMb() + " MB of at most " + maxDiskMb
                    + " MB of disk; this sandbox asks for " + diskMb + " MB more";
        }
        return null;
    }

    /** Whether a sandbox this size could ever fit, even with none of the owner's others running. */
    public boolean couldEverFit(int memoryMb, int vcpus) {
        return couldEverFit(memoryMb, vcpus, 0);
    }

    /** Whether a sandbox this size, with {@code diskMb} of disk, could ever fit. */
    public boolean couldEverFit(int memoryMb, int vcpus, int diskMb) {
        return maxSandboxes >= 1 && memoryMb <= maxMemoryMb && vcpus <= maxVcpus
                && (maxDiskMb == null || diskMb <= maxDiskMb);
    }
}
