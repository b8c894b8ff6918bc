package dev.stacyvm.audit.service;

import dev.stacyvm.contract.event.AuditEvent;
import dev.stacyvm.contract.event.SandboxStateChanged;
import dev.stacyvm.contract.event.StacyvmEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * Appends events to the audit log. An event already in the log (a redelivery) changes nothing:
 * the insert and the de-duplication by {@code event_id} are one statement.
 */
@ApplicationScoped
public class AuditLog {

    static final String SCHEDULER_ACTOR = "system:scheduler";

    @Inject
    EntityManager entityManager;

    /** @return whether the event was new */
    @Transactional
    public boolean append(StacyvmEvent event, String payload) {
        Entry entry = switch (event) {
            case AuditEvent audit -> new Entry(audit.actor(), audit.action(), audit.target(), audit.outcome(),
                    audit.requestId(), audit.sourceAddress(), audit.detail());
            case SandboxStateChanged changed -> new Entry(SCHEDULER_ACTOR, changed.type(), changed.sandboxId(),
                    changed.toState(), null, null, describe(changed));
        };
        int inserted = entityManager.createNativeQuery("""
                INSERT INTO audit_record (event_id, event_type, occurred_at, actor, action, target, outcome,
                                          owner_id, sandbox_id, worker_id, request_id, source_address, detail, payload)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                ON CONFLICT (event_id) DO NOTHING
                """)
                .setParameter(1, event.eventId())
                .setParameter(2, event.type())
                .setParameter(3, event.occurredAt())
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
                .executeUpdate();
        return inserted == 1;
    }

    private static String describe(SandboxStateChanged changed) {
        String move = (changed.fromState() == null ? "new" : changed.fromState()) + " -> " + changed.toState();
        return changed.reason() == null ? move : move + " (" + changed.reason() + ")";
    }

    private record Entry(String actor, String action, String target, String outcome, String requestId,
                         String sourceAddress, String detail) {
    }
}
