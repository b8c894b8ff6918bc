package dev.stacyvm.audit.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class AuditChainTest {

    private static final Instant AT = Instant.parse("2026-11-23T14:15:02.370490Z");

    @Test
    void theSameRecordAfterTheSamePredecessorHashesTheSame() {
        assertEquals(AuditChain.hash("abc", "sandbox.exec", AT, "alice"), AuditChain.hash("abc", "sandbox.exec", AT, "alice"));
    }

    @Test
    void anyChangeChangesTheHash() {
        String original = AuditChain.hash("abc", "sandbox.exec", AT, "alice");
        assertNotEquals(original, AuditChain.hash("abd", "sandbox.exec", AT, "alice"));
        assertNotEquals(original, AuditChain.hash("abc", "sandbox.exec", AT.plusNanos(1000), "alice"));
        assertNotEquals(original, AuditChain.hash("abc", "sandbox.exec", AT, "mallory"));
    }

    @Test
    void fieldBoundariesAndMissingValuesCannotBeShuffled() {
        assertNotEquals(AuditChain.hash("", "ab", "c"), AuditChain.hash("", "a", "bc"));
        assertNotEquals(AuditChain.hash("", (Object) null), AuditChain.hash("", ""));
    }
}
