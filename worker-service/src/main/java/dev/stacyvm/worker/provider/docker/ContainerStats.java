package dev.stacyvm.worker.provider.docker;

import com.github.dockerjava.api.model.CpuStatsConfig;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.MemoryStatsConfig;
import com.github.dockerjava.api.model.StatisticNetworksConfig;
import com.github.dockerjava.api.model.Statistics;
import dev.stacyvm.contract.api.SandboxStats;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * A sandbox's {@link SandboxStats} from one Docker stats sample ({@code GET /containers/{id}/stats}
 * with {@code stream=false}, which carries the sample before it as {@code precpu_stats}), counted
 * as {@code docker stats} counts: CPU as the container's share of the host's CPU time between the
 * two samples times the host's online CPUs, memory without the inactive page cache.
 */
final class ContainerStats {

    private ContainerStats() {
    }

    /**
     * The figures of {@code sample}, with the vCPUs and process limit of the container's {@code limits}.
     * Under runsc the process count is the engine's, gVisor's own threads included (about 45 idle).
     */
    static SandboxStats of(String sandboxId, Statistics sample, HostConfig limits) {
        MemoryStatsConfig memory = sample.getMemoryStats();
        long used = memory == null || memory.getUsage() == null ? 0 : memory.getUsage();
        long limit = memory == null || memory.getLimit() == null ? 0 : memory.getLimit();
        long pids = sample.getPidsStats() == null || sample.getPidsStats().getCurrent() == null ? 0
                : sample.getPidsStats().getCurrent();
        long rx = 0;
        long tx = 0;
        Map<String, StatisticNetworksConfig> networks = sample.getNetworks();
        if (networks != null) {
            for (StatisticNetworksConfig network : networks.values()) {
                rx += network.getRxBytes() == null ? 0 : network.getRxBytes();
                tx += network.getTxBytes() == null ? 0 : network.getTxBytes();
            }
        }
        int vcpus = limits == null || limits.getNanoCPUs() == null ? 0 : (int) Math.ceil(limits.getNanoCPUs() / 1e9);
        long pidsLimit = limits == null || limits.getPidsLimit() == null ? 0 : limits.getPidsLimit();
        if (limits != null && "runsc".equals(limits.getRuntime()) && pidsLimit > dev.stacyvm.contract.internal.SandboxSpec.GVISOR_PIDS_OVERHEAD) {
            // the sandbox's own limit: the engine's holds gVisor's threads too (ContainerShape.enginePidsLimit)
            pidsLimit = (pidsLimit - dev.stacyvm.contract.internal.SandboxSpec.GVISOR_PIDS_OVERHEAD) / dev.stacyvm.contract.internal.SandboxSpec.GVISOR_HOST_PIDS_PER_PROCESS;
        }
        return new SandboxStats(sandboxId, readAt(sample), cpuPercent(sample), vcpus, Math.max(0, used - inactiveFile(memory)),
                limit, 0, null, pids, pidsLimit, rx, tx);
    }

    /** Percent of one core, over the interval between the sample and the one before it; 0 without a prior sample. */
    static double cpuPercent(Statistics sample) {
        CpuStatsConfig now = sample.getCpuStats();
        CpuStatsConfig before = sample.getPreCpuStats();
        if (now == null || before == null || now.getCpuUsage() == null || before.getCpuUsage() == null
                || now.getSystemCpuUsage() == null || before.getSystemCpuUsage() == null
                || now.getCpuUsage().getTotalUsage() == null || before.getCpuUsage().getTotalUsage() == null) {
            return 0;
        }
        long container = now.getCpuUsage().getTotalUsage() - before.getCpuUsage().getTotalUsage();
        long system = now.getSystemCpuUsage() - before.getSystemCpuUsage();
        if (container <= 0 || system <= 0) {
            return 0;
        }
        long cpus = now.getOnlineCpus() != null && now.getOnlineCpus() > 0 ? now.getOnlineCpus()
                : now.getCpuUsage().getPercpuUsage() != null ? now.getCpuUsage().getPercpuUsage().size() : 1;
        // rounded to a tenth: the sample is not more exact than that
        return Math.round((double) container / system * cpus * 1000.0) / 10.0;
    }

    /** The page cache the kernel may drop: cgroup v2's inactive_file, v1's total_inactive_file. */
    private static long inactiveFile(MemoryStatsConfig memory) {
        if (memory == null || memory.getStats() == null) {
            return 0;
        }
        Long v2 = memory.getStats().getInactiveFile();
        if (v2 != null) {
            return v2;
        }
        Long v1 = memory.getStats().getTotalInactiveFile();
        return v1 == null ? 0 : v1;
    }

    private static Instant readAt(Statistics sample) {
        try {
            return sample.getRead() == null ? Instant.now() : Instant.parse(sample.getRead());
        } catch (DateTimeParseException unexpected) {
            return Instant.now();
        }
    }
}
