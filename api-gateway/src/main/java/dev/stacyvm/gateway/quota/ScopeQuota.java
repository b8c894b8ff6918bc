package dev.stacyvm.gateway.quota;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * An administrator's limits on what all owners of one key ({@code scope} {@code key}, subject
 * {@code tenant:key}) or of one tenant ({@code tenant}) hold together; a {@code null} limit is none.
 */
@Entity
@Table(name = "scope_quota")
@IdClass(ScopeQuota.Id.class)
public class ScopeQuota extends PanacheEntityBase {

    public static final String KEY = "key";
    public static final String TENANT = "tenant";

    /** The composite primary key. */
    public static class Id implements Serializable {
        public String scope;
        public String subject;

        public Id() {
        }

        public Id(String scope, String subject) {
            this.scope = scope;
            this.subject = subject;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Id id && Objects.equals(scope, id.scope) && Objects.equals(subject, id.subject);
        }

        @Override
        public int hashCode() {
            return Objects.hash(scope, subject);
        }
    }

    @jakarta.persistence.Id
    public String scope;

    @jakarta.persistence.Id
    public String subject;

    @Column(name = "max_sandboxes")
    public Integer maxSandboxes;

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
