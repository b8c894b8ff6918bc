package dev.stacyvm.worker.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stacyvm.contract.api.HostCapacity;
import dev.stacyvm.worker.config.WorkerConfig;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** What a worker advertises its host can hold, from the host's own figures and the settings. */
class HostCapacityProbeTest {

    private record Host(Optional<Long> memoryMb, long memoryReserveMb, Optional<Integer> cpus, double vcpuOvercommit,
            Optional<Long> pids, long pidsReserve, int maxPidsLimit, Optional<Long> diskMb, long diskReserveMb,
            double diskOvercommit) implements WorkerConfig.Host {
    }

    private static final Host DEFAULTS = new Host(Optional.empty(), 2048, Optional.empty(), 8, Optional.empty(), 8192, 1024,
            Optional.empty(), 2048, 8);

    @Test
    void aTwoCoreHostWith24GiBHoldsItsMemoryLessTheReserveAndEightVcpusPerCore() {
        OptionalLong memTotal = HostCapacityProbe.memTotalMb(List.of("MemTotal:       24683620 kB", "MemFree: 1 kB"));
        assertEquals(OptionalLong.of(24105), memTotal);
        HostCapacity capacity = HostCapacityProbe.measure(DEFAULTS, memTotal, 2, OptionalLong.of(32768),
                OptionalLong.of(192729));
        assertEquals(new HostCapacity(24105 - 2048, 16, 32768 - 8192, 2, 1024, 0, 0, 0), capacity);
    }

    @Test
    void settingsReplaceWhatTheHostReports() {
        Host small = new Host(Optional.of(16384L), 2048, Optional.of(2), 1.5, Optional.of(512L), 8192, 1024,
                Optional.of(10240L), 2048, 8);
        assertEquals(new HostCapacity(14336, 3, 512, 2, 512, 0, 0, 0),
                HostCapacityProbe.measure(small, OptionalLong.of(24105), 64, OptionalLong.of(32768), OptionalLong.of(1)));
    }

    @Test
    void aHostWhoseFiguresCannotBeReadIsGivenNothingRatherThanEverything() {
        assertEquals(new HostCapacity(0, 16, 0, 2, 0, 0, 0, 0), HostCapacityProbe.measure(DEFAULTS, OptionalLong.empty(), 2,
                OptionalLong.empty(), OptionalLong.empty()));
        assertEquals(OptionalLong.empty(), HostCapacityProbe.memTotalMb(List.of("MemFree: 1 kB")));
    }

    @Test
    void diskIsTheDataRootLessTheReserveOvercommittedAndWhatIsFreeNow() {
        HostCapacity capacity = HostCapacityProbe.withDisk(HostCapacity.NONE, DEFAULTS, OptionalLong.of(62464),
                OptionalLong.of(30720));
        assertEquals(62464 - 2048, capacity.maxDiskMb(), "one sandbox may have the data root less the reserve");
        assertEquals((62464 - 2048) * 8, capacity.diskMb(), "declared sizes may add up to eight times that");
        assertEquals(30720 - 2048, capacity.diskFreeMb());
        HostCapacity full = HostCapacityProbe.withDisk(HostCapacity.NONE, DEFAULTS, OptionalLong.of(62464),
                OptionalLong.of(1000));
        assertEquals(0, full.diskFreeMb(), "a nearly full disk takes no new sandbox");
        HostCapacity unreadable = HostCapacityProbe.withDisk(HostCapacity.NONE, DEFAULTS, OptionalLong.empty(),
                OptionalLong.empty());
        assertEquals(HostCapacity.NONE, unreadable, "an unreadable disk holds nothing");
        Host set = new Host(Optional.empty(), 2048, Optional.empty(), 8, Optional.empty(), 8192, 1024,
                Optional.of(10240L), 2048, 2);
        HostCapacity configured = HostCapacityProbe.withDisk(HostCapacity.NONE, set, OptionalLong.of(62464),
                OptionalLong.of(99999));
        assertEquals(new HostCapacity(0, 0, 0, 0, 0, 20480, 10240, 10240), configured,
                "the setting replaces the size, and free space never counts past it");
    }
}
