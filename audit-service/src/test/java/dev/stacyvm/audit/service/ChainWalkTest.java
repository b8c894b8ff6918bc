package dev.stacyvm.audit.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.audit.AuditRecord;
import dev.stacyvm.contract.api.AuditVerification;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The keyed chain and its migration: a log whose first records were written with plain SHA-256
 * before the chain key existed still verifies once later records are keyed; a keyed record that
 * someone changes and re-hashes with plain SHA-256 (all that database access allows) fails; and a
 * signed head exported outside the database catches a rewrite of the whole chain, however hashed.
 */
class ChainWalkTest {

    private static final ChainKey KEY = new ChainKey("a-chain-key-of-enough-length");
    private static final Instant AT = Instant.parse("2026-11-30T15:00:00.123456Z");

    /** Records 1..total: up to {@code keyedSince} hashed as before the key existed, then keyed. */
    private static List<AuditRecord> log(int total, long keyedSince) {
        List<AuditRecord> records = new ArrayList<>();
        String previous = "";
        for (long id = 1; id <= total; id++) {
            AuditRecord record = record(id, "sandbox.exec", "exit_code=0 command: echo " + id);
            record.prevHash = previous;
            record.recordHash = id <= keyedSince ? record.computeHash(previous) : KEY.hash(previous, record.chainedFields());
            previous = record.recordHash;
            records.add(record);
        }
        return records;
    }

    private static AuditRecord record(long id, String action, String detail) {
        AuditRecord record = new AuditRecord();
        record.id = id;
        record.eventId = UUID.nameUUIDFromBytes(("event-" + id).getBytes());
        record.eventType = "audit.recorded";
        record.occurredAt = AT.plusSeconds(id);
        record.actor = "acme/app";
        record.action = action;
        record.outcome = "success";
        record.detail = detail;
        record.payload = "{}";
        return record;
    }

    private static AuditVerification walk(List<AuditRecord> records, long keyedSince, SignedHead signed) {
        ChainWalk walk = new ChainWalk(KEY, keyedSince, signed, records.getLast().recordHash);
        for (AuditRecord record : records) {
            walk.accept(record);
            if (walk.result() != null) {
                return walk.result();
            }
        }
        return walk.finish();
    }

    /** What an attacker with database access does: change a row, then re-hash it and every later row with SHA-256. */
    private static void rewriteAndRehash(List<AuditRecord> records, int index) {
        records.get(index).detail = "exit_code=0 command: nothing to see here";
        String previous = index == 0 ? "" : records.get(index - 1).recordHash;
        for (AuditRecord record : records.subList(index, records.size())) {
            record.prevHash = previous;
            record.recordHash = record.computeHash(previous);
            previous = record.recordHash;
        }
    }

    @Test
    void aChainWrittenBeforeTheKeyExistedStillVerifiesAfterIt() {
        List<AuditRecord> records = log(10, 6);
        AuditVerification verified = walk(records, 6, SignedHead.sign(KEY, 8, records.get(7).recordHash, 6, AT));
        assertTrue(verified.intact(), verified.reason());
        assertEquals(10, verified.records());
        assertTrue(walk(log(5, 5), 5, null).intact(), "a chain not keyed yet verifies as before");
    }

    @Test
    void aKeyedRecordRehashedWithoutTheKeyFails() {
        List<AuditRecord> records = log(10, 6);
        rewriteAndRehash(records, 7);
        AuditVerification broken = walk(records, 6, null);
        assertFalse(broken.intact());
        assertEquals(8L, broken.brokenAt());
        assertTrue(broken.reason().contains("without the chain key"), broken.reason());
    }

    @Test
    void aWholeChainRewrittenAsIfUnkeyedContradictsTheSignedHead() {
        List<AuditRecord> records = log(10, 6);
        SignedHead signed = SignedHead.sign(KEY, 9, records.get(8).recordHash, 6, AT);
        rewriteAndRehash(records, 2);
        // even claiming every record is from before the key: the signed head names another hash
        AuditVerification broken = walk(records, 10, signed);
        assertFalse(broken.intact());
        assertEquals(9L, broken.brokenAt());
        assertTrue(broken.reason().contains("signed chain head"), broken.reason());
    }

    @Test
    void recordsUpToTheSignedHeadCannotBeCutOff() {
        List<AuditRecord> records = log(10, 0);
        SignedHead signed = SignedHead.sign(KEY, 10, records.get(9).recordHash, 0, AT);
        AuditVerification broken = walk(records.subList(0, 7), 0, signed);
        assertFalse(broken.intact());
        assertTrue(broken.reason().contains("signed chain head"), broken.reason());
    }

    @Test
    void aHeadIsTrustedOnlyWithTheKeysSignature() {
        SignedHead signed = SignedHead.sign(KEY, 9, "ab".repeat(32), 6, AT);
        assertTrue(signed.signedBy(KEY));
        assertFalse(new SignedHead(9, "cd".repeat(32), 6, AT, signed.signature()).signedBy(KEY));
        assertFalse(new SignedHead(9, "ab".repeat(32), 9, AT, signed.signature()).signedBy(KEY));
        assertFalse(signed.signedBy(new ChainKey("another-key-entirely")));
    }

    @Test
    void keyedHashesDifferFromPlainOnesAndNeedTheKey() {
        assertFalse(AuditChain.hash("abc", "x").equals(KEY.hash("abc", "x")));
        assertFalse(KEY.hash("abc", "x").equals(new ChainKey("another-key-entirely").hash("abc", "x")));
        assertEquals(KEY.hash("abc", "x"), KEY.hash("abc", "x"));
    }
}
