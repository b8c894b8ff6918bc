package dev.stacyvm.gateway.metrics;

import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.contract.api.WorkerView;
import dev.stacyvm.contract.time.GoDuration;
import dev.stacyvm.gateway.events.SandboxEventStreams;
import dev.stacyvm.gateway.service.InternalServices;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /api/v1/metrics}: StacyVM's JSON metrics (its {@code uptime}, {@code sandboxes} with
 * {@code total}, {@code active}, {@code by_state}, {@code by_provider} and {@code by_worker}, and
 * {@code workers}), read from the scheduler's records now, plus this gateway's {@code operations}
 * (creates and execs by outcome: count and mean seconds since it started, max seconds over the
 * last two minutes, as Micrometer keeps it) and its open
 * {@code event_streams}. The Prometheus series ({@code stacyvm_*}) carry the same and more over
 * time; this is the one-look answer.
 */
@ApplicationScoped
public class SystemMetrics {

    @Inject
    InternalServices services;

    @Inject
    MeterRegistry registry;

    @Inject
    SandboxEventStreams streams;

    /** The metrics document, every sandbox and worker of the installation in it. */
    public Map<String, Object> snapshot() {
        List<SandboxView> sandboxes = services.scheduler().list(null, null);
        Map<String, Long> byState = new TreeMap<>();
        Map<String, Long> byProvider = new TreeMap<>();
        Map<String, Long> byWorker = new TreeMap<>();
        for (SandboxView sandbox : sandboxes) {
            byState.merge(sandbox.state(), 1L, Long::sum);
            byProvider.merge(sandbox.provider() == null ? "none" : sandbox.provider(), 1L, Long::sum);
            byWorker.merge(sandbox.workerId() == null ? "none" : sandbox.workerId(), 1L, Long::sum);
        }
        Map<String, Object> sandboxSummary = new LinkedHashMap<>();
        sandboxSummary.put("total", sandboxes.size());
        sandboxSummary.put("active", byState.getOrDefault("running", 0L));
        sandboxSummary.put("by_state", byState);
        sandboxSummary.put("by_provider", byProvider);
        sandboxSummary.put("by_worker", byWorker);

        List<WorkerView> workers = services.scheduler().workers();
        Map<String, Object> workerSummary = new LinkedHashMap<>();
        workerSummary.put("total", workers.size());
        workerSummary.put("ready", workers.stream().filter(worker -> "ready".equals(worker.status())).count());
        workerSummary.put("items", workers.stream().map(SystemMetrics::worker).toList());

        Map<String, Object> operations = new LinkedHashMap<>();
        operations.put("creates", outcomes("stacyvm.sandbox.creates"));
        operations.put("execs", outcomes("stacyvm.execs"));

        Map<String, Object> document = new LinkedHashMap<>();
        document.put("uptime", GoDuration.format(Duration.ofMillis(ManagementFactory.getRuntimeMXBean().getUptime()).withNanos(0)));
        document.put("sandboxes", sandboxSummary);
        document.put("workers", workerSummary);
        document.put("operations", operations);
        document.put("event_streams", streams.open());
        return document;
    }

    private static Map<String, Object> worker(WorkerView worker) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("id", worker.id());
        item.put("status", worker.status());
        item.put("sandboxes", worker.sandboxes());
        item.put("last_heartbeat", worker.lastHeartbeat());
        item.put("host", worker.host());
        item.put("used", worker.used());
        return item;
    }

    /** This gateway's timings of one operation, per outcome. */
    private Map<String, Object> outcomes(String timer) {
        Map<String, Object> byOutcome = new TreeMap<>();
        for (Timer recorded : registry.find(timer).timers()) {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("count", recorded.count());
            figures.put("mean_seconds", round(recorded.mean(TimeUnit.SECONDS)));
            figures.put("max_seconds", round(recorded.max(TimeUnit.SECONDS)));
            byOutcome.put(recorded.getId().getTag("outcome"), figures);
        }
        return byOutcome;
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }
}
