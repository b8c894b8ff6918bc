package dev.stacyvm.audit.service;

import dev.stacyvm.audit.AuditRecord;
import dev.stacyvm.contract.api.AuditVerification;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.List;

/**
 * Walks the audit log in order and recomputes every hash ({@link ChainWalk}): plain SHA-256 up to
 * the chain's {@code keyed_since}, HMAC with the chain key after it, and checks the log against the
 * newest signed head exported outside the database ({@link ChainHeads}). A row changed and
 * re-hashed by someone with database access but without the key fails its keyed hash; moving
 * {@code keyed_since} or rewriting the whole chain contradicts the signed head.
 */
@ApplicationScoped
public class AuditVerifier {

    private static final int PAGE = 1000;

    @Inject
    ChainKey key;

    @Inject
    ChainHeads heads;

    /** The whole chain against the newest signed head (which must exist once the chain is keyed). */
    @Transactional
    public AuditVerification verify() {
        return verifyChain(true);
    }

    /**
     * The whole chain; {@code headRequired} false only for the first export, before any head exists.
     */
    @Transactional
    public AuditVerification verifyChain(boolean headRequired) {
        // the newest hash as of now: the walk must reach it, or records at the end were removed;
        // records appended while the walk runs lie beyond it and are left for the next check
        String head = (String) AuditRecord.getEntityManager()
                .createNativeQuery("SELECT last_hash FROM audit_chain_head WHERE id = 1").getSingleResult();
        Long storedKeyedSince = storedKeyedSince();
        ChainHeads.Latest latest = heads.latest();
        if (latest.problem() != null) {
            return new AuditVerification(false, 0, null, null, null, latest.problem());
        }
        SignedHead signed = latest.head();
        if (signed == null && storedKeyedSince != null && headRequired) {
            return new AuditVerification(false, 0, null, null, null, "no signed chain head at " + heads.location()
                    + " although the chain is keyed (it was removed, or the state directory changed)");
        }
        if (signed != null && storedKeyedSince != null && signed.keyedSince() != storedKeyedSince) {
            return new AuditVerification(false, 0, null, null, signed.keyedSince(),
                    "the point where the chain became keyed was moved in the database (keyed_since " + storedKeyedSince
                            + ", the signed chain head says " + signed.keyedSince() + ")");
        }
        long keyedSince = signed != null ? signed.keyedSince() : storedKeyedSince == null ? 0 : storedKeyedSince;
        return walk(new ChainWalk(key, keyedSince, signed, head), 0);
    }

    /**
     * Verifies only the records after an exported head, whose hash the next record must name: what
     * {@link ChainHeads} checks before it signs a newer head.
     */
    @Transactional
    public ChainWalk verifyAfter(SignedHead from, String head) {
        ChainWalk walk = new ChainWalk(key, from.keyedSince(), null, head).after(from.sequence(), from.hash());
        if (!head.equals(from.hash())) {
            walk(walk, from.sequence());
        }
        return walk;
    }

    /** The id of the last record hashed without the key, or null before the chain was keyed. */
    Long storedKeyedSince() {
        List<?> rows = AuditRecord.getEntityManager()
                .createNativeQuery("SELECT keyed_since FROM audit_chain_key WHERE id = 1").getResultList();
        return rows.isEmpty() ? null : ((Number) rows.get(0)).longValue();
    }

    private AuditVerification walk(ChainWalk walk, long afterId) {
        while (true) {
            List<AuditRecord> page = AuditRecord.<AuditRecord>find("id > ?1 order by id", afterId).page(0, PAGE).list();
            if (page.isEmpty()) {
                return walk.finish();
            }
            for (AuditRecord record : page) {
                afterId = record.id;
                walk.accept(record);
                if (walk.result() != null) {
                    return walk.result();
                }
            }
            AuditRecord.getEntityManager().clear();
        }
    }
}
