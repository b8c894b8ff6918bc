package dev.stacyvm.gateway.quota;

import jakarta.persistence.Entity;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;

/**
 * An administrator's limits on what all owners of one key ({@code scope} {@code key}, subject
 * {@code tenant:key}) or of one tenant ({@code tenant}) hold together; a {@code null} limit is none.
 */
@Entity
@Table(name = "scope_quota")
@IdClass(ScopeQuota.Id.class)
public class ScopeQuota extends QuotaLimits {

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
}
