package dev.stacyvm.audit.service;

import dev.stacyvm.audit.AuditRecord;
import dev.stacyvm.contract.api.AuditVerification;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Objects;

/**
 * Walks the audit log in order and recomputes every hash. The first remaining record is taken as
 * the chain's start (older ones may have been removed by retention; records from before the log
 * was chained carry no hash and are passed over); from there each record must name its
 * predecessor's hash and hash to what it says.
 */
@ApplicationScoped
public class AuditVerifier {

    private static final int PAGE = 1000;

    @Transactional
    public AuditVerification verify() {
        // the newest hash as of now: the walk must reach it, or records at the end were removed;
        // records appended while the walk runs lie beyond it and are left for the next check
        String head = (String) AuditRecord.getEntityManager()
                .createNativeQuery("SELECT last_hash FROM audit_chain_head WHERE id = 1").getSingleResult();
        long count = 0;
        Long firstId = null;
        Long lastId = null;
        String previousHash = null;
        long afterId = 0;
        while (true) {
            List<AuditRecord> page = AuditRecord.<AuditRecord>find("id > ?1 order by id", afterId).page(0, PAGE).list();
            if (page.isEmpty()) {
                boolean reachedHead = head.isEmpty() ? firstId == null : head.equals(previousHash);
                return reachedHead ? new AuditVerification(true, count, firstId, lastId, null, null)
                        : new AuditVerification(false, count, firstId, lastId, lastId,
                                "the newest records were removed (the chain ends before its recorded head)");
            }
            for (AuditRecord record : page) {
                afterId = record.id;
                if (firstId == null && record.recordHash == null) {
                    continue; // written before the log became a chain (schema version 1)
                }
                if (firstId == null) {
                    firstId = record.id;
                    previousHash = record.prevHash;
                }
                if (!Objects.equals(previousHash, record.prevHash)) {
                    return new AuditVerification(false, count, firstId, lastId, record.id,
                            "the record does not follow the one before it (a record was removed or inserted)");
                }
                if (!record.computeHash(record.prevHash).equals(record.recordHash)) {
                    return new AuditVerification(false, count, firstId, lastId, record.id,
                            "the record's content does not match its hash (it was changed)");
                }
                previousHash = record.recordHash;
                lastId = record.id;
                count++;
                if (record.recordHash.equals(head)) {
                    return new AuditVerification(true, count, firstId, lastId, null, null);
                }
            }
            AuditRecord.getEntityManager().clear();
        }
    }
}
