package dev.stacyvm.scheduler.service;

import dev.stacyvm.contract.api.Certification;
import dev.stacyvm.contract.api.HostCapacity;
import dev.stacyvm.contract.api.OwnerIds;
import dev.stacyvm.contract.api.SandboxState;
import dev.stacyvm.contract.internal.CapacityView;
import dev.stacyvm.contract.internal.OwnerUsage;
import dev.stacyvm.contract.internal.SandboxSpec;
import dev.stacyvm.scheduler.Sandbox;
import dev.stacyvm.scheduler.Worker;
import dev.stacyvm.scheduler.admission.OwnerUsages;
import dev.stacyvm.scheduler.config.SchedulerConfig;
import dev.stacyvm.scheduler.error.CapacityExhaustedException;
import dev.stacyvm.scheduler.error.ExceedsHostCapacityException;
import dev.stacyvm.scheduler.error.WorkerUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Picks the worker a new sandbox runs on: a ready worker that heartbeated recently, offers the
 * provider and runtime certified on its host (docs/certification.md; any when the operator allows
 * uncertified ones, certified first), and has room; among those the least loaded, so sandboxes spread.
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
            return new CapacityView(active, OwnerUsage.none(null), capacity, free, null, null, null);
        }
        return new CapacityView(active, usages.of(owner), capacity, free, usages.ofKey(OwnerIds.keyIdOf(owner)),
                usages.ofTenant(OwnerIds.tenantOf(owner)), null);
    }

    /**
     * A ready worker that offers the provider and the OCI runtime, carries every one of {@code labels} and has room
     * for the sandbox: fewer live sandboxes than its count capacity, and its advertised host
     * capacity (memory, vCPUs, pids, declared disk) not passed by what its live sandboxes hold plus
     * this one, with {@code diskMb} free on its data root now; among
     * those the least loaded. Must run inside the transaction that records the sandbox.
     *
     * @throws ExceedsHostCapacityException when no such worker could hold the sandbox even empty,
     *     naming the limit
     * @throws CapacityExhaustedException (with Retry-After) when one could but none has room now
     * @throws WorkerUnavailableException when no worker is ready at all, or none that is offers the
     *     provider or the runtime, or (unless uncertified ones are allowed) none has them certified
     */
    public Worker choose(String provider, String runtime, Map<String, String> labels, int memoryMb, int vcpus,
                         int pidsLimit, int diskMb) {
        Instant freshSince = Instant.now().minus(config.workerHeartbeatTimeout());
        List<Worker> candidates = Worker.<Worker>list("status = ?1 and lastHeartbeat >= ?2", Worker.READY, freshSince)
                .stream().filter(worker -> carries(worker, labels)).toList();
        if (candidates.isEmpty()) {
            throw new WorkerUnavailableException(labels == null || labels.isEmpty()
                    ? "no worker is available to run sandboxes"
                    : "no ready worker carries the labels " + labels, 5L);
        }
        List<Worker> offering = candidates.stream()
                .filter(worker -> worker.providers != null && worker.providers.contains(provider))
                .filter(worker -> offersRuntime(worker, runtime))
                .toList();
        if (offering.isEmpty() && candidates.stream().noneMatch(worker -> worker.providers != null
                && worker.providers.contains(provider))) {
            // a worker offers exactly the providers it listed (those that answered its last check)
            throw new WorkerUnavailableException("no ready worker offers provider " + provider, 30L);
        }
        if (offering.isEmpty() && candidates.stream().noneMatch(worker -> offersRuntime(worker, runtime))) {
            // an engine without the runtime cannot run the sandbox at all: say so, not "no room"
            throw new WorkerUnavailableException("no ready worker offers runtime " + runtime, 30L);
        }
        if (!config.allowUncertified()) {
            List<Worker> certified = offering.stream().filter(worker -> certifies(worker, provider, runtime)).toList();
            if (certified.isEmpty() && !offering.isEmpty()) {
                throw new WorkerUnavailableException("no ready worker has provider " + provider + " under runtime "
                        + runtime + " certified on its host: run ./stacyvm certify --provider " + provider
                        + " --runtime " + runtime + " there, or allow uncertified providers "
                        + "(STACYVM_ALLOW_UNCERTIFIED=true; docs/certification.md)", 60L);
            }
            offering = certified;
        }
        // a sandbox no host could ever hold is refused for good: waiting cannot make room for it
        long hostPids = SandboxSpec.hostPids(runtime, pidsLimit, 1);
        String neverFits = neverFits(offering, memoryMb, vcpus, pidsLimit, hostPids, diskMb);
        if (neverFits != null) {
            throw new ExceedsHostCapacityException(neverFits);
        }
        if (!offering.isEmpty() && offering.stream().allMatch(worker -> worker.host() == null)) {
            // a worker older than host capacity: it gets nothing, and nothing says how large a host is
            throw new WorkerUnavailableException("no ready worker advertises its host capacity", 5L);
        }
        record Load(Worker worker, long live) {
        }
        // one worker needs no ranking: what it holds is counted under its lock below
        List<Worker> leastLoadedFirst = offering.size() == 1 ? offering : offering.stream()
                .map(worker -> new Load(worker, WorkerRegistry.liveSandboxes(worker.id)))
                .filter(load -> load.live() < load.worker().capacity)
                // a certified worker first (only they are here unless uncertified ones are allowed)
                .sorted(Comparator.comparing((Load load) -> !certifies(load.worker(), provider, runtime))
                        .thenComparingDouble(load -> (double) load.live() / load.worker().capacity))
                .map(Load::worker)
                .toList();
        for (Worker worker : leastLoadedFirst) {
            // the row lock serialises placements on this worker until the new record commits,
            // so concurrent creates cannot overfill it; the use is taken again under the lock
            Worker.getEntityManager().lock(worker, LockModeType.PESSIMISTIC_WRITE);
            HostCapacity host = worker.host();
            WorkerRegistry.Load load = WorkerRegistry.load(worker.id);
            if (load.live() < worker.capacity && host != null
                    && host.holds(load.used(), memoryMb, vcpus, pidsLimit, hostPids, diskMb)) {
                return worker;
            }
        }
        throw new CapacityExhaustedException("no worker offering provider " + provider
                + " has room for " + memoryMb + " MiB, " + vcpus + " vCPUs, " + pidsLimit + " pids and " + diskMb
                + " MiB of disk now", 10L);
    }

    /**
     * Whether the provider under the runtime is certified on the worker's host, as it last advertised
     * (docs/certification.md).
     */
    static boolean certifies(Worker worker, String provider, String runtime) {
        return worker.certified != null && worker.certified.contains(Certification.key(provider, runtime));
    }

    /** Whether the worker's engine has the OCI runtime (a worker that advertised none has runc only). */
    static boolean offersRuntime(Worker worker, String runtime) {
        List<String> offered = worker.runtimes == null || worker.runtimes.isEmpty()
                ? List.of(SandboxSpec.DEFAULT_RUNTIME) : worker.runtimes;
        return offered.contains(runtime);
    }

    /**
     * Why none of the workers could hold a sandbox of the shape even with nothing else on it (the
     * limit of the last host it passes), or null when one could or when none advertises its host
     * capacity (then nothing says how large a host is; such workers are given nothing).
     * {@code hostPids} is what the sandbox takes of a host's pids under its runtime.
     */
    static String neverFits(List<Worker> workers, int memoryMb, int vcpus, int pidsLimit, long hostPids, int diskMb) {
        String reason = null;
        for (Worker worker : workers) {
            HostCapacity host = worker.host();
            if (host == null) {
                continue;
            }
            String why = host.neverHolds(memoryMb, vcpus, pidsLimit, hostPids, diskMb);
            if (why == null) {
                return null;
            }
            reason = why;
        }
        return reason;
    }

    /**
     * Why a sandbox of the shape cannot be placed now (no ready worker could ever hold it, or none
     * has room), or null when one could take it: the admission route's view of {@link #choose},
     * without locks or records.
     */
    public String hostRefusal(String runtime, int memoryMb, int vcpus, int pidsLimit, int diskMb) {
        Instant freshSince = Instant.now().minus(config.workerHeartbeatTimeout());
        List<Worker> ready = Worker.list("status = ?1 and lastHeartbeat >= ?2", Worker.READY, freshSince);
        if (ready.isEmpty()) {
            return "no worker is available";
        }
        ready = ready.stream().filter(worker -> offersRuntime(worker, runtime)).toList();
        if (ready.isEmpty()) {
            return "no ready worker offers runtime " + runtime;
        }
        long hostPids = SandboxSpec.hostPids(runtime, pidsLimit, 1);
        String neverFits = neverFits(ready, memoryMb, vcpus, pidsLimit, hostPids, diskMb);
        if (neverFits != null) {
            return neverFits;
        }
        for (Worker worker : ready) {
            HostCapacity host = worker.host();
            if (host != null && WorkerRegistry.liveSandboxes(worker.id) < worker.capacity
                    && host.holds(WorkerRegistry.used(worker.id), memoryMb, vcpus, pidsLimit, hostPids, diskMb)) {
                return null;
            }
        }
        return "no worker host has room for " + memoryMb + " MiB, " + vcpus + " vCPUs, " + pidsLimit + " pids and "
                + diskMb + " MiB of disk now";
    }

    /**
     * Whether the worker carries every label; {@link SandboxSpec#WORKER_LABEL} is every worker's own
     * id, which no registration can claim for another.
     */
    static boolean carries(Worker worker, Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            return true;
        }
        for (Map.Entry<String, String> label : labels.entrySet()) {
            boolean held = SandboxSpec.WORKER_LABEL.equals(label.getKey()) ? worker.id.equals(label.getValue())
                    : worker.labels != null && label.getValue().equals(worker.labels.get(label.getKey()));
            if (!held) {
                return false;
            }
        }
        return true;
    }
}
