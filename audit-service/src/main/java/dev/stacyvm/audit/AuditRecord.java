package dev.stacyvm.audit;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
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

    @Column(name = "prev_hash")
    public String prevHash;

    @Column(name = "record_hash")
    public String recordHash;

    /** This record's plain SHA-256 hash (records from before the chain was keyed), from its fields and the given previous hash. */
    public String computeHash(String previousHash) {
        return dev.stacyvm.audit.service.AuditChain.hash(previousHash, chainedFields());
    }

    /** The stored fields a record's hash covers, in order (the same for plain and keyed hashes). */
    public Object[] chainedFields() {
        return new Object[] {eventId, eventType, occurredAt, actor, action, target, outcome, ownerId, sandboxId, workerId,
            requestId, sourceAddress, detail, payload};
    }
}
