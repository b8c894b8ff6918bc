package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What one worker host can hold in all, as the worker advertises it on every heartbeat, and what
 * its live sandboxes hold of it ({@link WorkerView#used}). {@code memory_mb} is MiB of sandbox
 * memory limits (the host's memory less a reserve for the host itself); {@code vcpus} the vCPUs
 * sandboxes may be given together (host cores times an overcommit ratio); {@code pids} the sum of
 * the sandboxes' {@code pids_limit}; {@code cores} the host's cores, the most vCPUs one sandbox may
 * have (the engine refuses more); {@code max_pids_limit} the largest {@code pids_limit} one sandbox
 * may have there. Disk, in MiB, on the filesystem of the engine's data root (where every sandbox's
 * writable layer lives): {@code disk_mb} the sum of {@code disk_mb} its sandboxes may declare
 * together (the filesystem's size less the host's reserve, times an overcommit ratio: a
 * {@code disk_mb} is a ceiling the engine enforces, not space set aside); {@code max_disk_mb} the
 * largest one sandbox may have (the size less the reserve); {@code disk_free_mb} what is free less
 * the reserve, measured again on every heartbeat: a host with less free than a new sandbox's
 * {@code disk_mb} gets no new sandbox. In a usage figure {@code cores}, {@code max_pids_limit},
 * {@code max_disk_mb} and {@code disk_free_mb} are 0.
 */
@Schema(description = "What one worker host can hold in all, as the worker advertises it on every heartbeat (a "
        + "worker's host), or what its live sandboxes hold of it (a worker's used; there cores, max_pids_limit, "
        + "max_disk_mb and disk_free_mb are 0). Disk figures concern the filesystem of the engine's data root, where "
        + "every sandbox's writable layer lives.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record HostCapacity(
        @Schema(description = "MiB of sandbox memory limits: the host's memory less a reserve for the host itself; in "
                + "a usage, the sum of its sandboxes' memory_mb.")
        long memoryMb,
        @Schema(description = "vCPUs sandboxes may be given together: host cores times an overcommit ratio; in a "
                + "usage, the sum of its sandboxes' vcpus.")
        long vcpus,
        @Schema(description = "The sum of pids_limit the host's sandboxes may hold; in a usage, the sum of their "
                + "pids_limit.")
        long pids,
        @Schema(description = "The host's cores: the most vCPUs one sandbox may have (the engine refuses more). 0 in a "
                + "usage.")
        long cores,
        @Schema(description = "The largest pids_limit one sandbox may have there. 0 in a usage.")
        long maxPidsLimit,
        @Schema(description = "MiB: the sum of disk_mb its sandboxes may declare together (the filesystem's size "
                + "less the host's reserve, times an overcommit ratio, since a disk_mb is a ceiling the engine "
                + "enforces, not space set aside); in a usage, the sum of its sandboxes' disk_mb.")
        long diskMb,
        @Schema(description = "MiB: the largest disk_mb one sandbox may have (the filesystem's size less the reserve). "
                + "0 in a usage.")
        long maxDiskMb,
        @Schema(description = "MiB free less the reserve, measured again on every heartbeat: a host with less free "
                + "than a new sandbox's disk_mb gets no new sandbox. 0 in a usage.")
        long diskFreeMb) {

    /** Nothing held: the use of a worker without sandboxes. */
    public static final HostCapacity NONE = new HostCapacity(0, 0, 0, 0, 0, 0, 0, 0);

    /** This use with one more sandbox of the shape added (MiB, vCPUs, pids, MiB). */
    public HostCapacity plus(long memoryMb, long vcpus, long pidsLimit, long diskMb) {
        return new HostCapacity(this.memoryMb + memoryMb, this.vcpus + vcpus, this.pids + pidsLimit, 0, 0,
                this.diskMb + diskMb, 0, 0);
    }

    /** This capacity with the disk figures measured now (MiB). */
    public HostCapacity withDisk(long diskMb, long maxDiskMb, long diskFreeMb) {
        return new HostCapacity(memoryMb, vcpus, pids, cores, maxPidsLimit, diskMb, maxDiskMb, diskFreeMb);
    }

    /**
     * Why a sandbox of the shape could never run on a host of this capacity, even an empty one
     * (naming the limit it passes), or null when it could; its host pids are its {@code pidsLimit}.
     */
    public String neverHolds(long memoryMb, long vcpus, long pidsLimit, long diskMb) {
        return neverHolds(memoryMb, vcpus, pidsLimit, pidsLimit, diskMb);
    }

    /**
     * The same for a sandbox whose runtime takes {@code hostPids} of the host's pids for its
     * {@code pidsLimit} (gVisor's take more: {@code SandboxSpec.hostPids}): the limit is held to the
     * per-sandbox ceiling, the host pids to the host's budget.
     */
    public String neverHolds(long memoryMb, long vcpus, long pidsLimit, long hostPids, long diskMb) {
        if (memoryMb > this.memoryMb) {
            return "memory_mb " + memoryMb + " is more than any worker host can hold (" + this.memoryMb + ")";
        }
        if (vcpus > this.vcpus) {
            return "vcpus " + vcpus + " is more than any worker host can hold (" + this.vcpus + ")";
        }
        if (vcpus > cores) {
            return "vcpus " + vcpus + " is more than the cores of any worker host (" + cores + ")";
        }
        if (pidsLimit > maxPidsLimit) {
            return "pids_limit " + pidsLimit + " is more than any worker host allows one sandbox (" + maxPidsLimit
                    + ")";
        }
        if (hostPids > pids) {
            return "pids_limit " + pidsLimit + (hostPids == pidsLimit ? "" : " (" + hostPids + " host pids under its runtime)")
                    + " is more than any worker host's pids budget (" + pids + ")";
        }
        if (diskMb > maxDiskMb) {
            return "disk_mb " + diskMb + " is more than any worker host's disk holds (" + maxDiskMb + ")";
        }
        return null;
    }

    /** Whether {@code used} plus a sandbox of the shape stays within this capacity, and its disk is free now. */
    public boolean holds(HostCapacity used, long memoryMb, long vcpus, long pidsLimit, long diskMb) {
        return holds(used, memoryMb, vcpus, pidsLimit, pidsLimit, diskMb);
    }

    /**
     * The same for a sandbox whose runtime takes {@code hostPids} of the host's pids (see
     * {@link #neverHolds(long, long, long, long, long)}); {@code used.pids} counts host pids too.
     */
    public boolean holds(HostCapacity used, long memoryMb, long vcpus, long pidsLimit, long hostPids, long diskMb) {
        return neverHolds(memoryMb, vcpus, pidsLimit, hostPids, diskMb) == null
                && used.memoryMb + memoryMb <= this.memoryMb
                && used.vcpus + vcpus <= this.vcpus
                && used.pids + hostPids <= this.pids
                && used.diskMb + diskMb <= this.diskMb
                && diskMb <= diskFreeMb;
    }
}
