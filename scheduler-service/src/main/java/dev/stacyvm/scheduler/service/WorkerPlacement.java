package dev.stacyvm.scheduler.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.CapacityView;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.OwnerIds;
import dev.stacyvm.contract.api.OwnerUsage;
import dev.stacyvm.contract.api.SandboxState;
import dev.stacyvm.scheduler.Sandbox;
import dev.stacyvm.scheduler.Worker;
import dev.stacyvm.scheduler.config.SchedulerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Picks the worker a new sandbox runs on: a ready worker that heartbeated recently, offers the
 * provider, and has room; among those the least loaded, so sandboxes spread.
 */
@ApplicationScoped
public class WorkerPlacement {

    @Inject
    SchedulerConfig config;

    @Inject
    OwnerUsages usages;

    /** Live sandboxes against the room the ready workers have; {@code owner} adds what that owner's hold. */
    public CapacityView capacity(String owner) {
        Instant freshSince = Instant.now().minus(config.workerHeartbeatTimeout());
        List<Worker> ready = Worker.list("status = ?1 and lastHeartbeat >= ?2", Worker.READY, freshSince);
        long capacity = 0;
        long free = 0;
        for (Worker worker : ready) {
            capacity += worker.capacity;
            free += Math.max(0, worker.capacity - WorkerRegistry.liveSandboxes(worker.id));
        }
        long active = Sandbox.count("state in ?1", SandboxState.LIVE);
        if (owner == null) {
            return new CapacityView(active, OwnerUsage.none(null), capacity, free, null, null);
        }
        return new CapacityView(active, usages.of(owner), capacity, free, usages.ofKey(OwnerIds.keyIdOf(owner)),
                usages.ofTenant(OwnerIds.tenantOf(owner)));
    }

    /**
     * A ready worker that offers the provider, carries every one of {@code labels} and has room;
     * the least loaded such. Must run inside the transaction that records the sandbox.
     */
    public Worker choose(String provider, Map<String, String> labels) {
        Instant freshSince = Instant.now().minus(config.workerHeartbeatTimeout());
        List<Worker> candidates = Worker.<Worker>list("status = ?1 and lastHeartbeat >= ?2", Worker.READY, freshSince)
                .stream().filter(worker -> carries(worker, labels)).toList();
        if (candidates.isEmpty()) {
            throw new ApiException(ErrorCode.UNAVAILABLE, labels == null || labels.isEmpty()
                    ? "no worker is available to run sandboxes"
                    : "no ready worker carries the labels " + labels, 5L);
        }
        record Load(Worker worker, long live) {
        }
        List<Worker> leastLoadedFirst = candidates.stream()
                .filter(worker -> worker.providers.isEmpty() || worker.providers.contains(provider))
                .map(worker -> new Load(worker, WorkerRegistry.liveSandboxes(worker.id)))
                .filter(load -> load.live() < load.worker().capacity)
                .sorted(Comparator.comparingDouble(load -> (double) load.live() / load.worker().capacity))
                .map(Load::worker)
                .toList();
        for (Worker worker : leastLoadedFirst) {
            // the row lock serialises placements on this worker until the new record commits,
            // so concurrent creates cannot overfill it; the count is taken again under the lock
            Worker.getEntityManager().lock(worker, LockModeType.PESSIMISTIC_WRITE);
            if (WorkerRegistry.liveSandboxes(worker.id) < worker.capacity) {
                return worker;
            }
        }
        throw new ApiException(ErrorCode.RESOURCE_LIMIT, "every worker offering provider " + provider + " is at capacity", 10L);
    }

    static boolean carries(Worker worker, Map<String, String> labels) {
        return labels == null || labels.isEmpty()
                || worker.labels != null && worker.labels.entrySet().containsAll(labels.entrySet());
    }
}
