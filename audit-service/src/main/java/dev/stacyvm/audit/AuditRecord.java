package dev.stacyvm.audit;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;

/** One entry of the append-only audit log. Rows are inserted, never updated. */
@Entity
@Table(name = "audit_record")
public class AuditRecord extends PanacheEntityBase {

    @Id
    public Long id;

    @Column(name = "event_id")
    public UUID eventId;

    @Column(name = "event_type")
    public String eventType;

    @Column(name = "occurred_at")
    public Instant occurredAt;

    @Column(name = "recorded_at")
    public Instant recordedAt;

    public String actor;
    public String action;
    public String target;
    public String outcome;

    @Column(name = "owner_id")
    public String ownerId;

    @Column(name = "sandbox_id")
    public String sandboxId;

    @Column(name = "worker_id")
    public String workerId;

    @Column(name = "request_id")
    public String requestId;

    @Column(name = "source_address")
    public String sourceAddress;

    public String detail;

    public String payload;

    /** The trace of the API request that did it; null for records without one (see {@link #chainedFields}). */
    @Column(name = "trace_id")
    public String traceId;

    @Column(name = "prev_hash")
    public String prevHash;

    @Column(name = "record_hash")
    public String recordHash;

    /** This record's plain SHA-256 hash (records from before the chain was keyed), from its fields and the given previous hash. */
    public String computeHash(String previousHash) {
        return dev.stacyvm.audit.service.AuditChain.hash(previousHash, chainedFields());
    }

    /**
     * The stored fields a record's hash covers, in order (the same for plain and keyed hashes). The
     * trace id came later: it is hashed after the rest, and only when it is set, so a record without
     * one (every record written before it) has the very input it was hashed with. The encoding is
     * length-prefixed, so a record with a trace id can never hash like one without.
     */
    public Object[] chainedFields() {
        return chainedFields(eventId, eventType, occurredAt, actor, action, target, outcome, ownerId, sandboxId, workerId,
            requestId, sourceAddress, detail, payload, traceId);
    }

    /** {@link #chainedFields()} of a record about to be written. */
    public static Object[] chainedFields(UUID eventId, String eventType, Instant occurredAt, String actor,
                                         String action, String target, String outcome, String ownerId, String sandboxId,
                                         String workerId, String requestId, String sourceAddress, String detail,
                                         String payload, String traceId) {
        Object[] fields = {eventId, eventType, occurredAt, actor, action, target, outcome, ownerId, sandboxId, workerId,
            requestId, sourceAddress, detail, payload};
        if (traceId == null) {
            return fields;
        }
        Object[] traced = Arrays.copyOf(fields, fields.length + 1);
        traced[fields.length] = traceId;
        return traced;
    }
}
