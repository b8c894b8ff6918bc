package dev.stacyvm.scheduler.service;

import dev.stacyvm.contract.api.Certification;
import dev.stacyvm.contract.api.HostCapacity;
import dev.stacyvm.contract.api.SandboxState;
import dev.stacyvm.contract.api.WorkerView;
import dev.stacyvm.contract.internal.SandboxSpec;
import dev.stacyvm.contract.internal.WorkerRegistration;
import dev.stacyvm.scheduler.Sandbox;
import dev.stacyvm.scheduler.Worker;
import dev.stacyvm.scheduler.error.InvalidRequestException;
import dev.stacyvm.scheduler.error.StateConflictException;
import dev.stacyvm.scheduler.error.WorkerNotFoundException;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Workers register and heartbeat here; the same call does both. */
@ApplicationScoped
public class WorkerRegistry {

    @Transactional
    public WorkerView heartbeat(WorkerRegistration registration) {
        validate(registration);
        Instant now = Instant.now();
        Worker worker = Worker.findById(registration.id(), LockModeType.PESSIMISTIC_WRITE);
        if (worker == null) {
            worker = new Worker();
            worker.id = registration.id();
            worker.registeredAt = now;
            worker.generation = 1;
            worker.instanceId = registration.instanceId();
            Log.infof("worker %s registered at %s", registration.id(), registration.endpoint());
        } else if (!Objects.equals(worker.instanceId, registration.instanceId())) {
            if (registration.generation() != 0) {
                // an instance that was taken over: it must not manage this worker's runtimes any more
                throw new StateConflictException("worker " + registration.id() + " instance "
                        + registration.instanceId() + " was superseded (generation " + worker.generation + ")");
            }
            worker.generation++;
            worker.instanceId = registration.instanceId();
            Log.infof("worker %s started anew at %s (generation %d)", registration.id(), registration.endpoint(),
                    worker.generation);
        } else if (!worker.endpoint.equals(registration.endpoint()) || Worker.LOST.equals(worker.status)) {
            Log.infof("worker %s is back at %s", registration.id(), registration.endpoint());
        }
        worker.endpoint = registration.endpoint();
        worker.capacity = registration.capacity();
        worker.providers = registration.providers() == null ? List.of() : registration.providers();
        worker.runtimes = registration.runtimes() == null || registration.runtimes().isEmpty()
                ? List.of(SandboxSpec.DEFAULT_RUNTIME) : registration.runtimes();
        worker.labels = registration.labels() == null ? Map.of() : registration.labels();
        // a worker that predates certification advertises none: nothing on it is certified
        worker.certified = registration.certifications() == null ? List.of() : registration.certifications().stream()
                .filter(Certification::certified)
                .map(certification -> Certification.key(certification.provider(), certification.runtime()))
                .distinct().toList();
        HostCapacity host = registration.host();
        worker.hostMemoryMb = host == null ? null : host.memoryMb();
        worker.hostVcpus = host == null ? null : host.vcpus();
        worker.hostPids = host == null ? null : host.pids();
        worker.hostCores = host == null ? null : host.cores();
        worker.hostMaxPidsLimit = host == null ? null : host.maxPidsLimit();
        worker.hostDiskMb = host == null ? null : host.diskMb();
        worker.hostMaxDiskMb = host == null ? null : host.maxDiskMb();
        worker.hostDiskFreeMb = host == null ? null : host.diskFreeMb();
        worker.status = Worker.READY;
        worker.lastHeartbeat = now;
        worker.persist();
        return view(worker);
    }

    /**
     * A worker process shutting down cleanly: it gets no new sandboxes from now on. A stale call
     * from an instance that was already taken over changes nothing.
     */
    @Transactional
    public WorkerView stopping(String id, String instanceId) {
        Worker worker = Worker.findById(id, LockModeType.PESSIMISTIC_WRITE);
        if (worker == null) {
            throw new WorkerNotFoundException(id);
        }
        if (Objects.equals(worker.instanceId, instanceId) && Worker.READY.equals(worker.status)) {
            worker.status = Worker.STOPPING;
            Log.infof("worker %s is shutting down: no new sandboxes go there", id);
        }
        return view(worker);
    }

    @Transactional
    public List<WorkerView> list() {
        return Worker.<Worker>listAll().stream().map(WorkerRegistry::view).toList();
    }

    @Transactional
    public WorkerView get(String id) {
        Worker worker = Worker.findById(id);
        if (worker == null) {
            throw new WorkerNotFoundException(id);
        }
        return view(worker);
    }

    static long liveSandboxes(String workerId) {
        return Sandbox.count("workerId = ?1 and state in ?2", workerId,
                SandboxState.LIVE);
    }

    /** How many live sandboxes a worker has and what they hold (see {@link #used}). */
    record Load(long live, HostCapacity used) {
    }

    /**
     * The worker's live sandboxes counted and summed in one query: {@link #liveSandboxes} and
     * {@link #used} together. Their pids are host pids: a runsc sandbox's take more than its
     * {@code pids_limit} ({@link SandboxSpec#hostPids}).
     */
    static Load load(String workerId) {
        List<Object[]> byRuntime = Sandbox.getEntityManager().createQuery(
                        "select s.runtime, count(s), coalesce(sum(s.memoryMb), 0), coalesce(sum(s.vcpus), 0),"
                                + " coalesce(sum(s.pidsLimit), 0), coalesce(sum(s.diskMb), 0) from Sandbox s"
                                + " where s.workerId = ?1 and s.state in ?2 group by s.runtime", Object[].class)
                .setParameter(1, workerId).setParameter(2, SandboxState.LIVE).getResultList();
        long live = 0;
        HostCapacity used = HostCapacity.NONE;
        for (Object[] sums : byRuntime) {
            long count = ((Number) sums[1]).longValue();
            live += count;
            used = used.plus(((Number) sums[2]).longValue(), ((Number) sums[3]).longValue(),
                    SandboxSpec.hostPids((String) sums[0], ((Number) sums[4]).longValue(), count),
                    ((Number) sums[5]).longValue());
        }
        return new Load(live, used);
    }

    /** What the worker's live sandboxes hold: the sums of their memory_mb, vcpus, host pids and disk_mb. */
    static HostCapacity used(String workerId) {
        return load(workerId).used();
    }

    static WorkerView view(Worker worker) {
        return new WorkerView(worker.id, worker.endpoint, worker.status, worker.lastHeartbeat, worker.capacity,
                liveSandboxes(worker.id), worker.providers, worker.generation, worker.host(), used(worker.id),
                worker.runtimes, worker.certified == null ? List.of() : worker.certified);
    }

    private static void validate(WorkerRegistration registration) {
        if (registration == null || registration.id() == null || registration.id().isBlank()) {
            throw new InvalidRequestException("worker id is required");
        }
        if (registration.endpoint() == null) {
            throw new InvalidRequestException("worker endpoint is required");
        }
        try {
            URI endpoint = URI.create(registration.endpoint());
            if (!"http".equals(endpoint.getScheme()) && !"https".equals(endpoint.getScheme())) {
                throw new InvalidRequestException("worker endpoint must be an http(s) URL");
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("worker endpoint is not a URL");
        }
        if (registration.capacity() < 1) {
            throw new InvalidRequestException("worker capacity must be at least 1");
        }
        HostCapacity host = registration.host();
        if (host != null && (host.memoryMb() < 0 || host.vcpus() < 0 || host.pids() < 0 || host.cores() < 0
                || host.maxPidsLimit() < 0 || host.diskMb() < 0 || host.maxDiskMb() < 0 || host.diskFreeMb() < 0)) {
            throw new InvalidRequestException("worker host capacity must not be negative");
        }
    }
}
