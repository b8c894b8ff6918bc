package dev.stacyvm.outbox;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far the outbox is behind, as Prometheus series of the service that holds it, read every
 * 10 s: {@code stacyvm_outbox_pending} (messages written but not yet acknowledged by Kafka) and
 * {@code stacyvm_outbox_lag_seconds} (the age of the oldest of them; 0 when none waits). A lag that
 * grows means Kafka is away and the audit log and the event streams are falling behind.
 */
@ApplicationScoped
public class OutboxMetrics {

    @Inject
    MeterRegistry registry;

    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong lagMillis = new AtomicLong();

    void register(@Observes StartupEvent start) {
        Gauge.builder("stacyvm.outbox.pending", pending, AtomicLong::get)
                .description("outbox messages not yet acknowledged by Kafka").register(registry);
        Gauge.builder("stacyvm.outbox.lag.seconds", lagMillis, millis -> millis.get() / 1000.0)
                .description("age of the oldest outbox message not yet acknowledged by Kafka").register(registry);
    }

    /** Messages not yet acknowledged by Kafka, as last read (every 10 s). */
    public long pending() {
        return pending.get();
    }

    /** The age of the oldest of them, as last read; zero when none waits. */
    public Duration lag() {
        return Duration.ofMillis(lagMillis.get());
    }

    @Scheduled(every = "${stacyvm.outbox.metrics-interval:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void refresh() {
        Object[] row = QuarkusTransaction.requiringNew().call(() -> (Object[]) OutboxMessage.getEntityManager()
                .createNativeQuery("SELECT count(*), min(created_at) FROM outbox_message WHERE published_at IS NULL")
                .getSingleResult());
        pending.set(((Number) row[0]).longValue());
        Instant oldest = row[1] == null ? null
                : row[1] instanceof Timestamp timestamp ? timestamp.toInstant()
                : row[1] instanceof Instant instant ? instant
                : row[1] instanceof java.time.OffsetDateTime offset ? offset.toInstant() : null;
        lagMillis.set(oldest == null ? 0 : Math.max(0, Duration.between(oldest, Instant.now()).toMillis()));
    }
}
