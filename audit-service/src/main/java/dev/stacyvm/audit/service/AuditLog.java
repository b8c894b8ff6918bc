package dev.stacyvm.audit.service;

import dev.stacyvm.audit.AuditRecord;
import dev.stacyvm.contract.event.AuditEvent;
import dev.stacyvm.contract.event.SandboxProgress;
import dev.stacyvm.contract.event.SandboxStateChanged;
import dev.stacyvm.contract.event.StacyvmEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;

/**
 * Appends events to the audit log, each linked to the one before by its hash, keyed with the
 * chain key (see {@link AuditChain} and {@link ChainKey}). An event already in the log (a redelivery) changes nothing: the insert and
 * the de-duplication by {@code event_id} are one statement, and the chain moves only on insert.
 */
@ApplicationScoped
public class AuditLog {

    static final String SCHEDULER_ACTOR = "system:scheduler";

    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    private static final String INVALID_TRACE_ID = "0".repeat(32);

    @Inject
    EntityManager entityManager;

    @Inject
    ChainKey key;

    @Inject
    ChainHeads heads;

    /** Set once keyed_since is known to be recorded: from then on every append is keyed. */
    private volatile boolean keyed;

    /** @return whether the event was new */
    @Transactional
    public boolean append(StacyvmEvent event, String payload) {
        Entry entry = switch (event) {
            case AuditEvent audit -> new Entry(audit.actor(), audit.action(), audit.target(), audit.outcome(),
                    audit.requestId(), audit.sourceAddress(), audit.detail(), traceId(audit.traceId()));
            case SandboxStateChanged changed -> new Entry(SCHEDULER_ACTOR, changed.type(), changed.sandboxId(),
                    changed.toState(), null, null, describe(changed), null);
            case SandboxProgress progress -> throw new IllegalArgumentException("progress is not audited");
        };
        // the chain head's row lock orders appends: ids and the chain follow the same order
        String previous = (String) entityManager
                .createNativeQuery("SELECT last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE")
                .getSingleResult();
        if (!keyed) {
            heads.ensureKeyed();
            keyed = true;
        }
        Instant occurred = event.occurredAt().truncatedTo(ChronoUnit.MICROS);
        String recordHash = key.hash(previous, AuditRecord.chainedFields(event.eventId(), event.type(), occurred,
                entry.actor(), entry.action(), entry.target(), entry.outcome(), event.ownerId(), event.sandboxId(),
                event.workerId(), entry.requestId(), entry.sourceAddress(), entry.detail(), payload, entry.traceId()));
        int inserted = entityManager.createNativeQuery("""
                INSERT INTO audit_record (event_id, event_type, occurred_at, actor, action, target, outcome,
                                          owner_id, sandbox_id, worker_id, request_id, source_address, detail, payload,
                                          prev_hash, record_hash, trace_id)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
                ON CONFLICT (event_id) DO NOTHING
                """)
                .setParameter(1, event.eventId())
                .setParameter(2, event.type())
                .setParameter(3, occurred)
                .setParameter(4, entry.actor())
                .setParameter(5, entry.action())
                .setParameter(6, entry.target())
                .setParameter(7, entry.outcome())
                .setParameter(8, event.ownerId())
                .setParameter(9, event.sandboxId())
                .setParameter(10, event.workerId())
                .setParameter(11, entry.requestId())
                .setParameter(12, entry.sourceAddress())
                .setParameter(13, entry.detail())
                .setParameter(14, payload)
                .setParameter(15, previous)
                .setParameter(16, recordHash)
                .setParameter(17, entry.traceId())
                .executeUpdate();
        if (inserted == 1) {
            entityManager.createNativeQuery("UPDATE audit_chain_head SET last_hash = ?1 WHERE id = 1")
                    .setParameter(1, recordHash)
                    .executeUpdate();
        }
        return inserted == 1;
    }

    private static String describe(SandboxStateChanged changed) {
        String move = (changed.fromState() == null ? "new" : changed.fromState()) + " -> " + changed.toState();
        return changed.reason() == null ? move : move + " (" + changed.reason() + ")";
    }

    /**
     * A trace id as the log keeps it: 32 lower-case hex digits, or null for anything else (an
     * invalid context's zeros included), so the column never holds what a caller made up.
     */
    static String traceId(String traceId) {
        return traceId != null && TRACE_ID.matcher(traceId).matches() && !traceId.equals(INVALID_TRACE_ID) ? traceId : null;
    }

    private record Entry(String actor, String action, String target, String outcome, String requestId,
                         String sourceAddress, String detail, String traceId) {
    }
}
