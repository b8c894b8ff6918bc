package dev.stacyvm.audit.service;

import dev.stacyvm.audit.config.AuditConfig;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;

/**
 * Deletes audit records older than the retention period, oldest first. The chain stays
 * verifiable: {@link AuditVerifier} starts from the first remaining record.
 */
@ApplicationScoped
public class AuditRetention {

    @Inject
    AuditConfig config;

    @Inject
    EntityManager entityManager;

    @Scheduled(every = "1h", delayed = "1m", skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void deleteExpired() {
        Duration keep = dev.stacyvm.contract.time.GoDuration.parse(config.retention());
        Instant cutoff = Instant.now().minus(keep);
        int deleted = QuarkusTransaction.requiringNew().call(() -> entityManager
                .createNativeQuery("DELETE FROM audit_record WHERE id <= (SELECT max(id) FROM audit_record WHERE recorded_at < ?1)")
                .setParameter(1, cutoff)
                .executeUpdate());
        if (deleted > 0) {
            Log.infof("audit retention removed %d records older than %s", deleted, cutoff);
        }
    }
}
