package dev.stacyvm.scheduler.service;

import dev.stacyvm.contract.api.HostCapacity;
import dev.stacyvm.contract.api.SandboxState;
import dev.stacyvm.contract.api.WorkerView;
import dev.stacyvm.scheduler.Sandbox;
import dev.stacyvm.scheduler.Worker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/**
 * The scheduler's {@code stacyvm_*} Prometheus series of the whole fleet, read from its records
 * every 10 s (docs/observability.md): {@code stacyvm_sandboxes} by {@code state} and
 * {@code worker} (every state but destroyed), {@code stacyvm_worker_up} by {@code worker} (1 when
 * ready), and {@code stacyvm_worker_capacity} and {@code stacyvm_worker_used} by {@code worker} and
 * {@code resource} ({@code memory_mb}, {@code vcpus}, {@code pids}, {@code disk_mb}): what the host
 * offers to sandboxes and what its live sandboxes hold.
 */
@ApplicationScoped
public class FleetMetrics {

    private static final List<String> RESOURCES = List.of("memory_mb", "vcpus", "pids", "disk_mb");

    @Inject
    MeterRegistry registry;

    @Inject
    WorkerRegistry workers;

    private MultiGauge sandboxes;
    private MultiGauge up;
    private MultiGauge capacity;
    private MultiGauge used;

    void register(@Observes StartupEvent start) {
        sandboxes = MultiGauge.builder("stacyvm.sandboxes").description("sandboxes not destroyed, by state and worker")
                .register(registry);
        up = MultiGauge.builder("stacyvm.worker.up").description("1 for a ready worker, 0 for a lost or stopping one")
                .register(registry);
        capacity = MultiGauge.builder("stacyvm.worker.capacity").description("what a worker's host offers sandboxes")
                .register(registry);
        used = MultiGauge.builder("stacyvm.worker.used").description("what a worker's live sandboxes hold")
                .register(registry);
    }

    @Scheduled(every = "${stacyvm.scheduler.metrics-interval:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void refresh() {
        if (sandboxes == null) {
            return;
        }
        List<Object[]> counts = QuarkusTransaction.requiringNew().call(() -> Sandbox.getEntityManager().createQuery(
                        "select s.state, s.workerId, count(s) from Sandbox s where s.state <> ?1 group by s.state, s.workerId",
                        Object[].class).setParameter(1, SandboxState.DESTROYED).getResultList());
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (Object[] count : counts) {
            String worker = count[1] == null ? "none" : (String) count[1];
            rows.add(MultiGauge.Row.of(Tags.of("state", ((SandboxState) count[0]).wireName(), "worker", worker),
                    ((Number) count[2]).doubleValue()));
        }
        sandboxes.register(rows, true);

        List<WorkerView> fleet = workers.list();
        List<MultiGauge.Row<?>> upRows = new ArrayList<>();
        List<MultiGauge.Row<?>> capacityRows = new ArrayList<>();
        List<MultiGauge.Row<?>> usedRows = new ArrayList<>();
        for (WorkerView worker : fleet) {
            upRows.add(MultiGauge.Row.of(Tags.of("worker", worker.id()), Worker.READY.equals(worker.status()) ? 1 : 0));
            add(capacityRows, worker.id(), worker.host());
            add(usedRows, worker.id(), worker.used());
        }
        up.register(upRows, true);
        capacity.register(capacityRows, true);
        used.register(usedRows, true);
    }

    private static void add(List<MultiGauge.Row<?>> rows, String worker, HostCapacity figures) {
        if (figures == null) {
            return;
        }
        long[] values = {figures.memoryMb(), figures.vcpus(), figures.pids(), figures.diskMb()};
        for (int i = 0; i < RESOURCES.size(); i++) {
            rows.add(MultiGauge.Row.of(Tags.of("worker", worker, "resource", RESOURCES.get(i)), values[i]));
        }
    }
}
