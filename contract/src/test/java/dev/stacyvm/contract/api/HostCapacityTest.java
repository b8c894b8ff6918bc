package dev.stacyvm.contract.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What a host can hold: a sandbox fits only when every figure, with what is placed already, stays within it. */
class HostCapacityTest {

    private static final HostCapacity HOST = new HostCapacity(14336, 16, 16384, 2, 1024, 40960);

    @Test
    void aShapeLargerThanTheHostNamesTheLimitItPasses() {
        assertTrue(HOST.neverHolds(14337, 1, 256).startsWith("memory_mb 14337"));
        assertTrue(HOST.neverHolds(512, 17, 256).startsWith("vcpus 17"));
        assertTrue(HOST.neverHolds(512, 3, 256).contains("cores"), "one sandbox gets at most the host's cores");
        assertTrue(HOST.neverHolds(512, 1, 1025).startsWith("pids_limit 1025"));
        assertNull(HOST.neverHolds(14336, 2, 1024));
    }

    @Test
    void whatIsPlacedAlreadyCountsAgainstEveryFigure() {
        HostCapacity used = HostCapacity.NONE.plus(8192, 8, 2048).plus(4096, 6, 256);
        assertTrue(HOST.holds(used, 2048, 2, 256));
        assertFalse(HOST.holds(used, 2049, 1, 256), "memory");
        assertFalse(HOST.holds(used.plus(0, 1, 0), 512, 2, 256), "vcpus");
        assertFalse(HOST.holds(HostCapacity.NONE.plus(0, 0, 16000), 64, 1, 512), "pids");
        assertFalse(HOST.holds(HostCapacity.NONE, 64, 1, 2048), "the per-sandbox pids ceiling");
    }
}
