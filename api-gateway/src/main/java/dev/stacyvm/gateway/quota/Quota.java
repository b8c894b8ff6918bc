package dev.stacyvm.gateway.quota;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** An administrator's quota override for one owner; a {@code null} limit keeps the default. */
@Entity
@Table(name = "quota")
public class Quota extends PanacheEntityBase {

    @Id
    @Column(name = "owner_id")
    public String ownerId;

    @Column(name = "max_sandboxes")
    public Integer maxSandboxes;

    @Column(name = "max_ttl_seconds")
    public Long maxTtlSeconds;

    @Column(name = "max_exec_timeout_seconds")
    public Long maxExecTimeoutSeconds;

    @Column(name = "max_memory_mb")
    public Integer maxMemoryMb;

    @Column(name = "max_vcpus")
    public Integer maxVcpus;

    /** MiB of {@code disk_mb} all the live sandboxes may ask for together. */
    @Column(name = "max_disk_mb")
    public Integer maxDiskMb;

    @Column(name = "requests_per_minute")
    public Integer requestsPerMinute;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
