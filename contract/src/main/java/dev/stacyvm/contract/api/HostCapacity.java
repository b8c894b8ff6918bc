package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * What one worker host can hold in all, as the worker advertises it on every heartbeat, and what
 * its live sandboxes hold of it ({@link WorkerView#used}). {@code memory_mb} is MiB of sandbox
 * memory limits (the host's memory less a reserve for the host itself); {@code vcpus} the vCPUs
 * sandboxes may be given together (host cores times an overcommit ratio); {@code pids} the sum of
 * the sandboxes' {@code pids_limit}; {@code cores} the host's cores, the most vCPUs one sandbox may
 * have (the engine refuses more); {@code max_pids_limit} the largest {@code pids_limit} one sandbox
 * may have there ({@code cores} and {@code max_pids_limit} are 0 in a usage figure); {@code disk_mb}
 * the MiB free on the filesystem of the engine's data root (where every sandbox's writable layer
 * lives) less the host's disk reserve, measured again on every heartbeat. Disk is advertised and
 * shown but not yet summed by placement (0 in a usage figure): sandboxes declare no disk size yet.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record HostCapacity(long memoryMb, long vcpus, long pids, long cores, long maxPidsLimit, long diskMb) {

    /** Nothing held: the use of a worker without sandboxes. */
    public static final HostCapacity NONE = new HostCapacity(0, 0, 0, 0, 0, 0);

    /** This use with one more sandbox of the shape added. */
    public HostCapacity plus(long memoryMb, long vcpus, long pidsLimit) {
        return new HostCapacity(this.memoryMb + memoryMb, this.vcpus + vcpus, this.pids + pidsLimit, 0, 0, diskMb);
    }

    /** This capacity with the disk figure measured now. */
    public HostCapacity withDiskMb(long diskMb) {
        return new HostCapacity(memoryMb, vcpus, pids, cores, maxPidsLimit, diskMb);
    }

    /**
     * Why a sandbox of the shape could never run on a host of this capacity, even an empty one
     * (naming the limit it passes), or null when it could.
     */
    public String neverHolds(long memoryMb, long vcpus, long pidsLimit) {
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
            return "pids_limit " + pidsLimit + " is more than any worker host allows one sandbox (" + maxPidsLimit + ")";
        }
        if (pidsLimit > pids) {
            return "pids_limit " + pidsLimit + " is more than any worker host's pids budget (" + pids + ")";
        }
        return null;
    }

    /** Whether {@code used} plus a sandbox of the shape stays within this capacity. */
    public boolean holds(HostCapacity used, long memoryMb, long vcpus, long pidsLimit) {
        return neverHolds(memoryMb, vcpus, pidsLimit) == null
                && used.memoryMb + memoryMb <= this.memoryMb
                && used.vcpus + vcpus <= this.vcpus
                && used.pids + pidsLimit <= this.pids;
    }
}
