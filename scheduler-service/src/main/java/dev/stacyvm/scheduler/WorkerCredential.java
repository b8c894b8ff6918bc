package dev.stacyvm.scheduler;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One credential of one worker: its SHA-256 only, and whether it was revoked. */
@Entity
@Table(name = "worker_credential")
public class WorkerCredential extends PanacheEntityBase {

    @Id
    public String id;

    @Column(name = "worker_id", nullable = false)
    public String workerId;

    /** Lower-case hex SHA-256 of the credential; the credential itself is never stored. */
    @Column(name = "token_sha256", nullable = false, unique = true)
    public String tokenSha256;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    /** When it was revoked; null while it is valid. */
    @Column(name = "revoked_at")
    public Instant revokedAt;
}
