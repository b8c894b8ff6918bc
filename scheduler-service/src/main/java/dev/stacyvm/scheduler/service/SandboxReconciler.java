package dev.stacyvm.scheduler.service;

import dev.stacyvm.contract.api.SandboxState;
import dev.stacyvm.contract.internal.RuntimeStatus;
import dev.stacyvm.scheduler.Sandbox;
import dev.stacyvm.scheduler.Worker;
import dev.stacyvm.scheduler.config.SchedulerConfig;
import dev.stacyvm.support.client.InternalClients;
import dev.stacyvm.support.client.WorkerApi;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Keeps the records true to what the workers really run, every {@code reconcile-interval}:
 * <ul>
 * <li>a worker that stopped heartbeating is {@code lost}, and its live sandboxes go to
 * {@code error} with reason {@code worker_lost}; when it is back they are destroyed;</li>
 * <li>a sandbox whose runtime stopped or vanished becomes {@code unhealthy}, {@code running} again
 * if it comes back, {@code error} once {@code unhealthy-grace} has passed;</li>
 * <li>a runtime with no live record (an orphan: a crash between steps, a record destroyed while
 * its worker was away) is removed;</li>
 * <li>a failed destroy is retried when its backoff is over.</li>
 * </ul>
 * Nothing is leaked and nothing waits for a person.
 */
@ApplicationScoped
public class SandboxReconciler {

    static final String WORKER_LOST = "worker_lost";
    private static final Set<SandboxState> WATCHED = Set.of(SandboxState.RUNNING, SandboxState.UNHEALTHY);

    @Inject
    SchedulerConfig config;

    @Inject
    SandboxTransitions transitions;

    @Inject
    SandboxLifecycle lifecycle;

    @Inject
    InternalClients clients;

    @Inject
    SchedulerLeases leases;

    @Scheduled(every = "${stacyvm.scheduler.reconcile-interval:5s}", delayed = "3s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void reconcile() {
        if (!leases.acquire(SchedulerLeases.MAINTENANCE)) {
            return;
        }
        markLostWorkers();
        List<Worker> ready = QuarkusTransaction.requiringNew().call(() -> Worker.<Worker>list("status", Worker.READY));
        for (Worker worker : ready) {
            try {
                reconcile(worker);
            } catch (RuntimeException e) {
                Log.debugf("reconciling worker %s failed, next round retries: %s", worker.id, e.toString());
            }
        }
        retryFailedDestroys();
    }

    /** Workers silent for longer than the heartbeat timeout are lost; so are their live sandboxes. */
    void markLostWorkers() {
        Instant silentSince = Instant.now().minus(config.workerHeartbeatTimeout());
        List<String> lost = QuarkusTransaction.requiringNew().call(() -> {
            List<Worker> silent = Worker.getEntityManager()
                    .createNativeQuery("SELECT * FROM worker WHERE status IN (?1, ?2) AND last_heartbeat < ?3"
                            + " FOR UPDATE SKIP LOCKED", Worker.class)
                    .setParameter(1, Worker.READY).setParameter(2, Worker.STOPPING).setParameter(3, silentSince)
                    .getResultList();
            silent.forEach(worker -> worker.status = Worker.LOST);
            return silent.stream().map(worker -> worker.id).toList();
        });
        for (String workerId : lost) {
            Log.warnf("worker %s stopped heartbeating: lost; its sandboxes go to error", workerId);
            List<String> stranded = QuarkusTransaction.requiringNew().call(() -> Sandbox.<Sandbox>list(
                    "workerId = ?1 and state in ?2", workerId, SandboxState.LIVE).stream().map(s -> s.id).toList());
            for (String id : stranded) {
                moveQuietly(id, SandboxState.ERROR, WORKER_LOST);
            }
        }
    }

    private void reconcile(Worker worker) {
        WorkerApi api = clients.forEndpoint(WorkerApi.class, worker.endpoint, Duration.ofSeconds(10));
        // before the worker is asked: a record changed since then may not be in its answer
        Instant listedAt = Instant.now();
        Map<String, RuntimeStatus> runtimes = api.runtimes().stream()
                .collect(Collectors.toMap(RuntimeStatus::sandboxId, Function.identity(), (a, b) -> a));
        List<Sandbox> records = QuarkusTransaction.requiringNew().call(() -> Sandbox.<Sandbox>list(
                "workerId = ?1 and state <> ?2", worker.id, SandboxState.DESTROYED));
        Map<String, Sandbox> byId = records.stream().collect(Collectors.toMap(s -> s.id, Function.identity()));
        Instant now = Instant.now();
        Instant staleBefore = now.minus(config.transitionTimeout());
        for (Sandbox sandbox : records) {
            if (sandbox.updatedAt.isBefore(staleBefore) && finishStaleStep(sandbox)) {
                continue;
            }
            if (sandbox.state == SandboxState.ERROR && WORKER_LOST.equals(sandbox.error)) {
                // its worker is back: clean up what it still holds
                destroyQuietly(sandbox.id, WORKER_LOST);
                continue;
            }
            Move move = judge(sandbox.state, sandbox.updatedAt, runtimes.get(sandbox.id), listedAt, now, config.unhealthyGrace());
            if (move != null) {
                moveQuietly(sandbox.id, move.to(), move.reason());
            }
        }
        for (RuntimeStatus runtime : runtimes.values()) {
            Sandbox record = byId.get(runtime.sandboxId());
            if (record == null && !liveElsewhere(runtime.sandboxId())) {
                Log.infof("removing orphaned runtime of %s on worker %s", runtime.sandboxId(), worker.id);
                try {
                    api.destroy(runtime.sandboxId());
                } catch (RuntimeException e) {
                    Log.warnf("could not remove orphaned runtime %s: %s", runtime.sandboxId(), e.toString());
                }
            }
        }
    }

    /** A state a record moves to, and why. */
    record Move(SandboxState to, String reason) {
    }

    /**
     * What a watched record ({@code running} or {@code unhealthy}) becomes, given its worker's
     * runtime as listed (null when the listing has none): {@code unhealthy} when a running one's
     * runtime stopped or vanished, {@code running} again when it is back, {@code error} once it has
     * been gone past {@code grace}; null for no change. A record that changed after the listing
     * began ({@code listedAt}) is left for the next round: a create that finished meanwhile (a
     * warm-pool claim takes milliseconds) is running but absent from the listing.
     */
    static Move judge(SandboxState state, Instant updatedAt, RuntimeStatus runtime, Instant listedAt, Instant now, Duration grace) {
        if (!WATCHED.contains(state)) {
            return null;
        }
        boolean running = runtime != null && runtime.running();
        if (running) {
            return state == SandboxState.UNHEALTHY ? new Move(SandboxState.RUNNING, "runtime recovered") : null;
        }
        if (updatedAt.isAfter(listedAt)) {
            return null;
        }
        if (state == SandboxState.RUNNING) {
            return new Move(SandboxState.UNHEALTHY, runtime == null ? "runtime missing" : "runtime " + runtime.state());
        }
        return updatedAt.plus(grace).isBefore(now)
                ? new Move(SandboxState.ERROR, runtime == null ? "runtime gone" : "runtime " + runtime.state()) : null;
    }

    /**
     * Finishes a step a scheduler left half done (it died between the record and the worker call,
     * or during the call): a create that never finished is undone (nobody was told of it), an expiry
     * or a destroy is carried on.
     */
    private boolean finishStaleStep(Sandbox sandbox) {
        String reason = switch (sandbox.state) {
            case CREATING -> "create did not finish";
            case EXPIRED -> "ttl";
            case DESTROYING -> "destroy resumed";
            default -> null;
        };
        if (reason == null) {
            return false;
        }
        destroyQuietly(sandbox.id, reason);
        return true;
    }

    /** A runtime whose sandbox has no record on this worker may still be one being created. */
    private static boolean liveElsewhere(String sandboxId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Sandbox sandbox = Sandbox.findById(sandboxId);
            return sandbox != null && sandbox.state == SandboxState.CREATING;
        });
    }

    private void retryFailedDestroys() {
        List<String> due = QuarkusTransaction.requiringNew().call(() -> Sandbox.<Sandbox>list(
                "state = ?1 and retryAt <= ?2", SandboxState.ERROR, Instant.now()).stream().map(s -> s.id).toList());
        for (String id : due) {
            destroyQuietly(id, "retry");
        }
    }

    private void moveQuietly(String id, SandboxState to, String reason) {
        try {
            transitions.move(id, to, reason, sandbox -> {
                if (to == SandboxState.ERROR || to == SandboxState.UNHEALTHY) {
                    sandbox.error = reason;
                } else if (to == SandboxState.RUNNING) {
                    sandbox.error = null;
                }
            });
        } catch (RuntimeException raced) {
            Log.debugf("sandbox %s changed meanwhile: %s", id, raced.getMessage());
        }
    }

    private void destroyQuietly(String id, String reason) {
        try {
            lifecycle.destroy(id, reason);
        } catch (RuntimeException failed) {
            Log.debugf("destroying %s failed, retried later: %s", id, failed.getMessage());
        }
    }
}
