package dev.stacyvm.contract.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OwnerLimitsTest {

    private final OwnerLimits limits = new OwnerLimits(3, 1024, 2);

    @Test
    void aSandboxThatFitsEveryTotalPasses() {
        assertNull(limits.refusal(new OwnerUsage("t:u", 2, 512, 1), 512, 1));
    }

    @Test
    void eachTotalRefusesOnItsOwnAndSaysWhich() {
        assertTrue(limits.refusal(new OwnerUsage("t:u", 3, 0, 0), 64, 1).contains("3 of at most 3 live sandboxes"));
        assertTrue(limits.refusal(new OwnerUsage("t:u", 1, 768, 0), 512, 1).contains("memory"));
        assertTrue(limits.refusal(new OwnerUsage("t:u", 1, 0, 2), 64, 1).contains("vCPUs"));
    }

    @Test
    void aSandboxLargerThanTheWholeQuotaCouldNeverFit() {
        assertTrue(limits.couldEverFit(1024, 2));
        assertFalse(limits.couldEverFit(2048, 1));
        assertFalse(limits.couldEverFit(512, 3));
        assertFalse(new OwnerLimits(0, 1024, 2).couldEverFit(64, 1));
    }

    @Test
    void diskIsCountedOnlyWhereALimitIsSet() {
        OwnerLimits withDisk = new OwnerLimits(3, 1024, 2, 1000);
        assertNull(withDisk.refusal(new OwnerUsage("t:u", 1, 0, 0, 600), 64, 1, 400));
        assertTrue(withDisk.refusal(new OwnerUsage("t:u", 1, 0, 0, 600), 64, 1, 401).contains("MB of disk"));
        assertTrue(withDisk.refusal("tenant t", new OwnerUsage("t", 1, 0, 0, 1000), 64, 1, 1).startsWith("tenant t"));
        assertNull(limits.refusal(new OwnerUsage("t:u", 1, 0, 0, 1_000_000), 64, 1, 1_000_000));
        assertFalse(withDisk.couldEverFit(64, 1, 1001));
        assertTrue(withDisk.couldEverFit(64, 1, 1000));
    }
}
