package dev.stacyvm.gateway.metrics;

import dev.stacyvm.contract.api.WorkerView;
import dev.stacyvm.contract.time.GoDuration;
import dev.stacyvm.gateway.events.SandboxEventStreams;
import dev.stacyvm.gateway.service.InternalServices;
import dev.stacyvm.gateway.service.ProviderCatalog;
import dev.stacyvm.outbox.OutboxMetrics;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code GET /api/v1/diagnostics} (administrators): what an operator checks first when something is
 * wrong, in one answer. Each dependency is tried now and answers {@code healthy}, how long it took
 * ({@code latency_ms}) and its {@code error} when it failed: the database, the event log (Kafka: the
 * sandbox events topic's end offsets), the scheduler, the audit service, every worker (status,
 * seconds since its heartbeat, what it holds), the providers' checks; then this gateway's outbox
 * backlog (what Kafka has not yet acknowledged), its open event streams and its last warnings and
 * errors. A failing part never fails the answer. Nothing secret is in it: no key, token, password
 * or registry credential.
 */
@ApplicationScoped
public class Diagnostics {

    @Inject
    InternalServices services;

    @Inject
    EntityManager entityManager;

    @Inject
    SandboxEventStreams streams;

    @Inject
    OutboxMetrics outbox;

    @Inject
    ProviderCatalog providers;

    @Inject
    RecentErrors recentErrors;

    @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown")
    String version;

    /** The diagnostics document. */
    public Map<String, Object> report() {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("generated_at", Instant.now());
        report.put("version", version);
        report.put("uptime", GoDuration.format(Duration.ofMillis(ManagementFactory.getRuntimeMXBean().getUptime()).withNanos(0)));
        report.put("database", check(() -> {
            QuarkusTransaction.requiringNew().call(() -> entityManager.createNativeQuery("SELECT 1").getSingleResult());
            return Map.of();
        }));
        report.put("event_log", check(() -> Map.of("end_offsets", streams.endOffsets())));
        AtomicReference<List<WorkerView>> fleet = new AtomicReference<>(List.of());
        report.put("scheduler", check(() -> {
            fleet.set(services.scheduler().workers());
            return Map.of();
        }));
        report.put("audit", check(() -> Map.of("reachable", services.audit().query(null, null, null, null, null, null, 1) != null)));
        report.put("workers", fleet.get().stream().map(Diagnostics::worker).toList());
        report.put("providers", check(() -> Map.of("items", providers.list())));
        Map<String, Object> backlog = new LinkedHashMap<>();
        backlog.put("pending", outbox.pending());
        backlog.put("lag_seconds", outbox.lag().toMillis() / 1000.0);
        report.put("outbox", backlog);
        report.put("event_streams", streams.open());
        report.put("recent_errors", recentErrors.newestFirst());
        return report;
    }

    private static Map<String, Object> worker(WorkerView worker) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("id", worker.id());
        item.put("status", worker.status());
        item.put("endpoint", worker.endpoint());
        item.put("providers", worker.providers());
        item.put("sandboxes", worker.sandboxes());
        item.put("heartbeat_age_seconds", worker.lastHeartbeat() == null ? null
                : Duration.between(worker.lastHeartbeat(), Instant.now()).toSeconds());
        item.put("host", worker.host());
        item.put("used", worker.used());
        return item;
    }

    /** Runs one check, timing it; a failure is its answer, never the report's. */
    private static Map<String, Object> check(Supplier<Map<String, ?>> probe) {
        Map<String, Object> result = new LinkedHashMap<>();
        long started = System.nanoTime();
        try {
            Map<String, ?> details = probe.get();
            result.put("healthy", true);
            result.putAll(details);
        } catch (RuntimeException failed) {
            result.put("healthy", false);
            result.put("error", failed.getMessage() == null ? failed.getClass().getSimpleName() : failed.getMessage());
        }
        result.put("latency_ms", (System.nanoTime() - started) / 1_000_000);
        return result;
    }
}
