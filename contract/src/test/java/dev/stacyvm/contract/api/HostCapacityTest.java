package dev.stacyvm.contract.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What a host can hold: a sandbox fits only when every figure, with what is placed already, stays within it. */
class HostCapacityTest {

    /** 2 cores, 14 GiB, a 40 GiB data root overcommitted 8 times, 30 GiB of it free now. */
    private static final HostCapacity HOST = new HostCapacity(14336, 16, 16384, 2, 1024, 327680, 40960, 30720);

    @Test
    void aShapeLargerThanTheHostNamesTheLimitItPasses() {
        assertTrue(HOST.neverHolds(14337, 1, 256, 1024).startsWith("memory_mb 14337"));
        assertTrue(HOST.neverHolds(512, 17, 256, 1024).startsWith("vcpus 17"));
        assertTrue(HOST.neverHolds(512, 3, 256, 1024).contains("cores"), "one sandbox gets at most the host's cores");
        assertTrue(HOST.neverHolds(512, 1, 1025, 1024).startsWith("pids_limit 1025"));
        assertTrue(HOST.neverHolds(512, 1, 256, 40961).startsWith("disk_mb 40961"), "one sandbox never outgrows the disk");
        assertNull(HOST.neverHolds(14336, 2, 1024, 40960));
    }

    @Test
    void whatIsPlacedAlreadyCountsAgainstEveryFigure() {
        HostCapacity used = HostCapacity.NONE.plus(8192, 8, 2048, 10240).plus(4096, 6, 256, 10240);
        assertTrue(HOST.holds(used, 2048, 2, 256, 10240));
        assertFalse(HOST.holds(used, 2049, 1, 256, 10240), "memory");
        assertFalse(HOST.holds(used.plus(0, 1, 0, 0), 512, 2, 256, 10240), "vcpus");
        assertFalse(HOST.holds(HostCapacity.NONE.plus(0, 0, 16000, 0), 64, 1, 512, 10240), "pids");
        assertFalse(HOST.holds(HostCapacity.NONE, 64, 1, 2048, 10240), "the per-sandbox pids ceiling");
    }

    @Test
    void aSandboxThatTakesMoreHostPidsThanItsLimitIsCountedByWhatItTakes() {
        HostCapacity used = HostCapacity.NONE.plus(0, 0, 10000, 0);
        assertTrue(HOST.holds(used, 64, 1, 512, 512, 1024), "512 of the 6384 host pids left");
        assertFalse(HOST.holds(used, 64, 1, 512, 512 * 6 + 128 + 3500, 1024), "its host pids pass what is left");
        assertTrue(HOST.neverHolds(64, 1, 1000, 20000, 1024).contains("20000 host pids"), "named in the refusal");
        assertNull(HOST.neverHolds(64, 1, 1000, 6128, 1024));
    }

    @Test
    void diskIsOvercommittedByItsBudgetButNeverPastWhatIsFreeNow() {
        HostCapacity declared = HostCapacity.NONE.plus(0, 0, 0, 317440);
        assertTrue(HOST.holds(declared, 64, 1, 16, 10240), "declared sizes may add up past the disk, up to the budget");
        assertFalse(HOST.holds(declared, 64, 1, 16, 10241), "the sum of declared sizes stays within the budget");
        assertFalse(HOST.holds(HostCapacity.NONE, 64, 1, 16, 30721), "a new sandbox needs its disk_mb free now");
        assertTrue(HOST.holds(HostCapacity.NONE, 64, 1, 16, 30720));
    }
}
