package dev.stacyvm.gateway.quota;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.MappedSuperclass;
import java.time.Instant;

/**
 * The limit columns an owner's quota ({@link Quota}) and a key's or tenant's ({@link ScopeQuota})
 * share, mapped once: what the live sandboxes may hold together and the request rate; a
 * {@code null} limit is the default (an owner's) or none (a scope's).
 */
@MappedSuperclass
public abstract class QuotaLimits extends PanacheEntityBase {

    @Column(name = "max_sandboxes")
    public Integer maxSandboxes;

    /** MiB of {@code memory_mb} all the live sandboxes may ask for together. */
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
