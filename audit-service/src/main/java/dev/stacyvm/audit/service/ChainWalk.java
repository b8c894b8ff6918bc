package dev.stacyvm.audit.service;

import dev.stacyvm.audit.AuditRecord;
import dev.stacyvm.contract.api.AuditVerification;
import java.util.Objects;

/**
 * One walk over the audit log in id order, fed a record at a time: each record must name its
 * predecessor's hash and hash to what it says, with plain SHA-256 up to {@code keyedSince} and the
 * chain key after it. With a signed head, the record it names must still carry the hash it
 * signed, and the walk must reach it. The first remaining record is the chain's start (older ones
 * may have been removed by retention; records from before the log was chained carry no hash and
 * are passed over) unless the walk starts after a known record and hash.
 */
final class ChainWalk {

    private final ChainKey key;
    private final long keyedSince;
    private final SignedHead signedHead;
    private final String head;

    private long count;
    private Long firstId;
    private Long lastId;
    private String previousHash;
    private AuditVerification result;

    /**
     * @param head the newest hash as of the walk's start (empty for an empty log): the walk must
     *             reach it, or records at the end were removed
     * @param signedHead the newest exported head, verified, or null when none was exported yet
     */
    ChainWalk(ChainKey key, long keyedSince, SignedHead signedHead, String head) {
        this.key = key;
        this.keyedSince = keyedSince;
        this.signedHead = signedHead;
        this.head = head;
    }

    /** Starts after a record already verified (an exported head), whose hash the next record must name. */
    ChainWalk after(long id, String hash) {
        firstId = id;
        lastId = id;
        previousHash = hash;
        return this;
    }

    /** The walk's answer once it has one (broken, or the head reached): then feed no more. */
    AuditVerification result() {
        return result;
    }

    void accept(AuditRecord record) {
        if (result != null) {
            return;
        }
        if (firstId == null && record.recordHash == null) {
            return; // written before the log became a chain (schema version 1)
        }
        if (signedHead != null && lastId != null && lastId < signedHead.sequence() && record.id > signedHead.sequence()
                && signedHead.sequence() >= firstId) {
            broken(record.id, "the record the signed chain head names (" + signedHead.sequence() + ") was removed");
            return;
        }
        if (firstId == null) {
            firstId = record.id;
            previousHash = record.prevHash;
        }
        if (!Objects.equals(previousHash, record.prevHash)) {
            broken(record.id, "the record does not follow the one before it (a record was removed or inserted)");
            return;
        }
        String expected = record.id <= keyedSince ? record.computeHash(record.prevHash)
                : key.hash(record.prevHash, record.chainedFields());
        if (!expected.equals(record.recordHash)) {
            broken(record.id, record.id <= keyedSince ? "the record's content does not match its hash (it was changed)"
                    : "the record's content does not match its keyed hash (it was changed, or re-hashed without the chain key)");
            return;
        }
        if (signedHead != null && record.id == signedHead.sequence() && !record.recordHash.equals(signedHead.hash())) {
            broken(record.id, "the record does not match the signed chain head exported at " + signedHead.exportedAt()
                    + " (the chain was rewritten and re-hashed)");
            return;
        }
        previousHash = record.recordHash;
        lastId = record.id;
        count++;
        if (record.recordHash.equals(head)) {
            finish();
        }
    }

    /** No more records: the walk must have reached the head it started with, and the signed head. */
    AuditVerification finish() {
        if (result != null) {
            return result;
        }
        boolean reachedHead = head.isEmpty() ? count == 0 : head.equals(previousHash);
        if (!reachedHead) {
            broken(lastId, "the newest records were removed (the chain ends before its recorded head)");
        } else if (signedHead != null && signedHead.sequence() > 0 && (lastId == null || lastId < signedHead.sequence())) {
            broken(lastId, "the chain ends before the signed chain head exported at " + signedHead.exportedAt()
                    + " (records up to " + signedHead.sequence() + " were removed or rewritten)");
        } else {
            result = new AuditVerification(true, count, firstId, lastId, null, null);
        }
        return result;
    }

    /** The newest record verified, and its hash: where the next incremental walk starts. */
    Long lastId() {
        return lastId;
    }

    String lastHash() {
        return previousHash;
    }

    private void broken(Long at, String reason) {
        result = new AuditVerification(false, count, firstId, lastId, at, reason);
    }
}
