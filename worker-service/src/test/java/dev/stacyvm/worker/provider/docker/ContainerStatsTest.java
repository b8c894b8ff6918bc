package dev.stacyvm.worker.provider.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Statistics;
import dev.stacyvm.contract.api.SandboxStats;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ContainerStatsTest {

    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** A sample as the engine's stats endpoint writes it (cgroup v2, stream=false). */
    private static Statistics sample(long containerDelta, long systemDelta, Long onlineCpus) throws Exception {
        return JSON.readValue("""
                {"read":"2026-12-02T08:40:01.123456789Z",
                 "cpu_stats":{"cpu_usage":{"total_usage":%d},"system_cpu_usage":%d%s},
                 "precpu_stats":{"cpu_usage":{"total_usage":1000000000},"system_cpu_usage":500000000000},
                 "memory_stats":{"usage":104857600,"limit":268435456,"stats":{"inactive_file":4194304}},
                 "pids_stats":{"current":7},
                 "networks":{"eth0":{"rx_bytes":1500,"tx_bytes":700},"eth1":{"rx_bytes":500,"tx_bytes":300}}}
                """.formatted(1_000_000_000L + containerDelta, 500_000_000_000L + systemDelta,
                onlineCpus == null ? "" : ",\"online_cpus\":" + onlineCpus), Statistics.class);
    }

    @Test
    void cpuIsTheContainersShareOfTheHostTimesItsCpusAsDockerStatsCountsIt() throws Exception {
        // one core busy for a second on a 2-CPU host: the host's clock moved 2 s of CPU time
        assertEquals(100.0, ContainerStats.cpuPercent(sample(1_000_000_000L, 2_000_000_000L, 2L)));
        assertEquals(50.0, ContainerStats.cpuPercent(sample(500_000_000L, 2_000_000_000L, 2L)));
        assertEquals(0.0, ContainerStats.cpuPercent(sample(0, 2_000_000_000L, 2L)), "idle");
        assertEquals(0.0, ContainerStats.cpuPercent(sample(10, 0, 2L)), "no interval to compare over");
    }

    @Test
    void memoryLeavesTheDroppablePageCacheOutAndNetworksAddUp() throws Exception {
        HostConfig limits = HostConfig.newHostConfig().withNanoCPUs(2_000_000_000L).withPidsLimit(256L);
        SandboxStats stats = ContainerStats.of("sb-1234abcd", sample(1_000_000_000L, 2_000_000_000L, 2L), limits);
        assertEquals(100 * 1024 * 1024 - 4 * 1024 * 1024, stats.memBytes());
        assertEquals(256 * 1024 * 1024, stats.memLimitBytes());
        assertEquals(7, stats.pids());
        assertEquals(256, stats.pidsLimit());
        assertEquals(2, stats.vcpus());
        assertEquals(2000, stats.netRxBytes());
        assertEquals(1000, stats.netTxBytes());
        assertEquals(Instant.parse("2026-12-02T08:40:01.123456789Z"), stats.timestamp());
        assertEquals(5 * 1024, stats.withDiskUsed(5 * 1024).diskUsedBytes());
    }
}
