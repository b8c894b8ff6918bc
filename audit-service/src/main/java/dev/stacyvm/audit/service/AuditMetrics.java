package dev.stacyvm.audit.service;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The audit service's {@code stacyvm_*} Prometheus series (docs/observability.md):
 * {@code stacyvm_audit_chain_length}, the records the hash chain holds now (read every 30 s;
 * retention shortens it), and {@code stacyvm_audit_records_appended_total} by {@code event_type},
 * every record this process added to the chain, counted once its transaction committed.
 */
@ApplicationScoped
public class AuditMetrics {

    @Inject
    MeterRegistry registry;

    @Inject
    EntityManager entityManager;

    private final AtomicLong length = new AtomicLong();

    void register(@Observes StartupEvent start) {
        Gauge.builder("stacyvm.audit.chain.length", length, AtomicLong::get)
                .description("records in the audit log's hash chain").register(registry);
    }

    /** Counts a record the chain took (its transaction committed). */
    public void appended(String eventType) {
        io.micrometer.core.instrument.Counter.builder("stacyvm.audit.records.appended")
                .description("records this process added to the audit chain").tag("event_type", eventType)
                .register(registry).increment();
    }

    @Scheduled(every = "${stacyvm.audit.metrics-interval:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void refresh() {
        length.set(QuarkusTransaction.requiringNew().call(() -> ((Number) entityManager
                .createNativeQuery("SELECT count(*) FROM audit_record").getSingleResult()).longValue()));
    }
}
