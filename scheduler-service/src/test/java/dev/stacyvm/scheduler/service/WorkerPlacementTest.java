package dev.stacyvm.scheduler.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.contract.api.HostCapacity;
import dev.stacyvm.contract.internal.SandboxSpec;
import dev.stacyvm.scheduler.Worker;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which shapes no worker host could ever hold: those are refused for good, the rest may wait for room. */
class WorkerPlacementTest {

    private static Worker worker(HostCapacity host) {
        Worker worker = new Worker();
        worker.id = "w";
        worker.capacity = 100;
        if (host != null) {
            worker.hostMemoryMb = host.memoryMb();
            worker.hostVcpus = host.vcpus();
            worker.hostPids = host.pids();
            worker.hostCores = host.cores();
            worker.hostMaxPidsLimit = host.maxPidsLimit();
            worker.hostDiskMb = host.diskMb();
            worker.hostMaxDiskMb = host.maxDiskMb();
            worker.hostDiskFreeMb = host.diskFreeMb();
        }
        return worker;
    }

    private static final Worker TWO_CORES = worker(new HostCapacity(14336, 16, 16384, 2, 1024, 163840, 20480, 20480));
    private static final Worker EIGHT_CORES = worker(new HostCapacity(61440, 32, 65536, 8, 4096, 819200, 102400, 102400));

    @Test
    void aShapeOneHostCouldHoldIsNeverRefusedForGood() {
        assertNull(WorkerPlacement.neverFits(List.of(TWO_CORES), 8192, 2, 1024, 1024, 1024));
        assertNull(WorkerPlacement.neverFits(List.of(TWO_CORES, EIGHT_CORES), 32768, 8, 4096, 4096, 1024),
                "the larger host holds what the smaller one cannot");
    }

    @Test
    void aShapeLargerThanEveryHostNamesTheLimit() {
        assertTrue(WorkerPlacement.neverFits(List.of(TWO_CORES), 512, 3, 256, 256, 1024).contains("cores"));
        assertTrue(WorkerPlacement.neverFits(List.of(TWO_CORES), 512, 1, 4096, 4096, 1024).startsWith("pids_limit 4096"));
        assertTrue(WorkerPlacement.neverFits(List.of(TWO_CORES), 16384, 1, 256, 256, 1024).startsWith("memory_mb 16384"));
        assertTrue(WorkerPlacement.neverFits(List.of(TWO_CORES, EIGHT_CORES), 512, 9, 256, 256, 1024).contains("cores"));
        assertTrue(WorkerPlacement.neverFits(List.of(TWO_CORES, EIGHT_CORES), 512, 1, 256, 256, 102401)
                .startsWith("disk_mb 102401"));
        assertNull(WorkerPlacement.neverFits(List.of(TWO_CORES, EIGHT_CORES), 512, 1, 256, 256, 102400));
    }

    @Test
    void aGvisorSandboxIsHeldToTheHostsPidsBudgetByTheHostPidsItTakes() {
        // 1024 is within the per-sandbox ceiling, but under runsc it takes 1024 x 6 + 128 host pids
        long hostPids = SandboxSpec.hostPids("runsc", 1024, 1);
        assertEquals(6272, hostPids);
        assertNull(WorkerPlacement.neverFits(List.of(TWO_CORES), 512, 1, 1024, hostPids, 1024));
        HostCapacity small = new HostCapacity(14336, 16, 4096, 2, 1024, 163840, 20480, 20480);
        String refusal = WorkerPlacement.neverFits(List.of(worker(small)), 512, 1, 1024, hostPids, 1024);
        assertTrue(refusal != null && refusal.contains("6272 host pids under its runtime"), refusal);
        assertNull(WorkerPlacement.neverFits(List.of(worker(small)), 512, 1, 1024, SandboxSpec.hostPids("runc", 1024, 1),
                1024), "the same limit under runc fits");
    }

    @Test
    void aWorkerThatAdvertisesNothingSaysNothingAboutHowLargeAHostIs() {
        assertNull(WorkerPlacement.neverFits(List.of(worker(null)), 64, 1, 16, 16, 1024));
        assertNull(WorkerPlacement.neverFits(List.of(worker(null), TWO_CORES), 64, 1, 16, 16, 1024));
        assertTrue(WorkerPlacement.neverFits(List.of(worker(null), TWO_CORES), 64, 4, 16, 16, 1024).contains("cores"));
        assertNull(WorkerPlacement.neverFits(List.of(), 64, 1, 16, 16, 1024), "no worker at all is unavailable, not too large");
    }

    @Test
    void everyWorkerCarriesItsOwnIdAsALabelAndNoOtherWorkersId() {
        Worker labelled = worker(null);
        labelled.labels = java.util.Map.of("zone", "a", SandboxSpec.WORKER_LABEL, "someone-else");
        assertTrue(WorkerPlacement.carries(labelled, java.util.Map.of(SandboxSpec.WORKER_LABEL, "w", "zone", "a")));
        assertFalse(WorkerPlacement.carries(labelled, java.util.Map.of(SandboxSpec.WORKER_LABEL, "someone-else")),
                "a registration's labels cannot claim another worker's id");
        assertFalse(WorkerPlacement.carries(labelled, java.util.Map.of("zone", "b")));
        assertTrue(WorkerPlacement.carries(labelled, java.util.Map.of()));
    }

    @Test
    void aWorkerCertifiesOnlyTheProviderAndRuntimePairsItAdvertisedCertified() {
        Worker certified = worker(null);
        certified.certified = List.of("docker/runc");
        assertTrue(WorkerPlacement.certifies(certified, "docker", "runc"));
        assertFalse(WorkerPlacement.certifies(certified, "docker", "runsc"), "runc's certification is not gVisor's");
        assertFalse(WorkerPlacement.certifies(certified, "mock", "runc"));
        Worker older = worker(null);
        older.certified = null;
        assertFalse(WorkerPlacement.certifies(older, "docker", "runc"), "a worker that predates certification has none");
    }

    @Test
    void aWorkerOffersOnlyTheRuntimesItAdvertisedAndOneThatAdvertisedNoneOffersRunc() {
        Worker gvisor = worker(null);
        gvisor.runtimes = List.of("runc", "runsc");
        assertTrue(WorkerPlacement.offersRuntime(gvisor, "runsc"));
        Worker older = worker(null);
        older.runtimes = null;
        assertTrue(WorkerPlacement.offersRuntime(older, SandboxSpec.DEFAULT_RUNTIME));
        assertFalse(WorkerPlacement.offersRuntime(older, "runsc"));
        older.runtimes = List.of();
        assertFalse(WorkerPlacement.offersRuntime(older, "runsc"), "an empty list is not \"offers all\"");
    }
}
