package dev.stacyvm.scheduler.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.api.OwnerIds;
import dev.stacyvm.contract.api.PreviewGeneration;
import dev.stacyvm.contract.api.SandboxState;
import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.contract.internal.RuntimeHandle;
import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.contract.internal.SandboxSpec;
import dev.stacyvm.contract.internal.TtlExtension;
import dev.stacyvm.scheduler.Sandbox;
import dev.stacyvm.scheduler.Worker;
import dev.stacyvm.scheduler.admission.OwnerAdmission;
import dev.stacyvm.scheduler.config.SchedulerConfig;
import dev.stacyvm.scheduler.error.InvalidRequestException;
import dev.stacyvm.scheduler.error.ProviderFailureException;
import dev.stacyvm.scheduler.error.SandboxNotFoundException;
import dev.stacyvm.scheduler.error.SchedulingException;
import dev.stacyvm.scheduler.error.StateConflictException;
import dev.stacyvm.scheduler.error.WorkerUnavailableException;
import dev.stacyvm.support.client.InternalClients;
import dev.stacyvm.support.client.WorkerApi;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * Creates and destroys sandboxes: records each step through {@link SandboxTransitions} and asks
 * the placed worker to do the runtime work between the steps, outside any transaction.
 */
@ApplicationScoped
public class SandboxLifecycle {

    @Inject
    SandboxTransitions transitions;

    @Inject
    WorkerPlacement placement;

    @Inject
    SandboxViews views;

    @Inject
    InternalClients clients;

    @Inject
    SchedulerConfig config;

    @Inject
    OwnerAdmission admission;

    @Inject
    InFlightSteps inFlight;

    public SandboxView create(SandboxSpec spec) {
        record Placed(Sandbox sandbox, String workerEndpoint) {
        }
        Placed placed = QuarkusTransaction.requiringNew().call(() -> {
            admission.admit(spec);
            Worker worker = placement.choose(spec.provider(), SandboxSpec.runtimeOrDefault(spec.runtime()), spec.workerLabels(), spec.memoryMb(), spec.vcpus(),
                    spec.pidsLimit(), spec.diskMb());
            Sandbox record = newRecord(spec);
            record.workerId = worker.id;
            record.certified = WorkerPlacement.certifies(worker, spec.provider(), SandboxSpec.runtimeOrDefault(spec.runtime()));
            // the worker's address comes from the placement's own read of its row, locked until commit
            return new Placed(transitions.begin(record), worker.endpoint);
        });
        Sandbox sandbox = placed.sandbox();
        RuntimeHandle handle;
        // a slow worker is not a dead scheduler: the reconciler leaves this create alone while it runs
        try (AutoCloseable renewing = inFlight.renew(sandbox.id, SandboxState.CREATING)) {
            handle = workerAt(placed.workerEndpoint()).create(new RuntimeSpec(sandbox.id, sandbox.ownerId, sandbox.image,
                    sandbox.memoryMb, sandbox.vcpus, spec.env(), sandbox.network, sandbox.ports, sandbox.pidsLimit,
                    spec.runAsRoot(), spec.readOnlyRoot(), sandbox.diskMb, sandbox.networkPolicy,
                    spec.registryCredential(), spec.pullPolicy(), spec.builder(), sandbox.runtime, sandbox.provider));
        } catch (ApiException refused) {
            transitions.move(sandbox.id, SandboxState.ERROR, refused.getMessage(), s -> s.error = refused.getMessage());
            if (refused.code().httpStatus() < 500) {
                // the request itself was wrong (an image that is not there): nothing was started,
                // so the record goes straight on to destroyed and the caller is left with nothing
                destroy(sandbox.id, "create refused");
            }
            throw refused;
        } catch (Exception failed) {
            Log.warnf(failed, "worker %s failed to create sandbox %s", sandbox.workerId, sandbox.id);
            String reason = "the worker failed to start the sandbox";
            transitions.move(sandbox.id, SandboxState.ERROR, reason, s -> s.error = reason);
            throw new ProviderFailureException(reason);
        }
        Sandbox running;
        try {
            running = transitions.move(sandbox.id, SandboxState.RUNNING, null, s -> {
                s.runtimeId = handle.runtimeId();
                s.publishedPorts = handle.publishedPorts() == null ? Map.of() : handle.publishedPorts();
                s.previewHost = handle.previewHost();
                s.imageDigest = handle.imageDigest();
                s.progress = null; // it runs: nothing left to wait for
            });
        } catch (SchedulingException destroyedMeanwhile) {
            // a destroy came in while the worker was starting the container: remove what it started
            try {
                worker(sandbox.workerId).destroy(sandbox.id);
            } catch (RuntimeException failed) {
                Log.warnf("could not remove the runtime of %s, destroyed during its create: %s", sandbox.id, failed);
            }
            throw destroyedMeanwhile;
        }
        return views.view(running);
    }

    /**
     * Destroys a sandbox and its runtime. Destroying a destroyed sandbox answers as a success; a
     * worker that fails leaves the sandbox in {@code error}, from where a later destroy retries.
     */
    public void destroy(String id, String reason) {
        Sandbox sandbox = transitions.move(id, SandboxState.DESTROYING, reason);
        if (sandbox.state == SandboxState.DESTROYED) {
            return;
        }
        // a lost worker cannot be asked: the record is destroyed now, and the reconciler removes the
        // runtime as an orphan when the worker is back
        if (sandbox.workerId != null && !workerLost(sandbox.workerId)) {
            try {
                worker(sandbox.workerId).destroy(id);
            } catch (RuntimeException failed) {
                Log.warnf("worker %s failed to destroy sandbox %s: %s", sandbox.workerId, id, failed.toString());
                String error = "destroy failed on worker " + sandbox.workerId + "; it is retried";
                transitions.move(id, SandboxState.ERROR, error, s -> {
                    s.error = error;
                    s.destroyAttempts++;
                    s.retryAt = Instant.now().plus(DestroyBackoff.after(s.destroyAttempts, config.destroyRetryMaxBackoff()));
                });
                throw new WorkerUnavailableException(error, null);
            }
        }
        transitions.move(id, SandboxState.DESTROYED, reason);
    }

    /**
     * Pushes a running sandbox's expiry back: from the later of now and its current expiry, by the
     * extension, but never further than the maximum TTL from now.
     */
    @Transactional
    public SandboxView extend(String id, TtlExtension extension) {
        if (extension == null || extension.extendBySeconds() < 1 || extension.maxTtlSeconds() < 1) {
            throw new InvalidRequestException("extend_by_seconds and max_ttl_seconds must be positive");
        }
        Sandbox sandbox = Sandbox.findById(id, LockModeType.PESSIMISTIC_WRITE);
        if (sandbox == null || sandbox.state == SandboxState.DESTROYED) {
            throw new SandboxNotFoundException(id);
        }
        if (sandbox.state != SandboxState.RUNNING && sandbox.state != SandboxState.UNHEALTHY) {
            throw new StateConflictException("sandbox " + id + " is " + sandbox.state.wireName()
                    + " and cannot be extended");
        }
        Instant now = Instant.now();
        Instant from = sandbox.expiresAt.isAfter(now) ? sandbox.expiresAt : now;
        Instant wanted = from.plusSeconds(extension.extendBySeconds());
        Instant cap = now.plusSeconds(extension.maxTtlSeconds());
        sandbox.expiresAt = (wanted.isAfter(cap) ? cap : wanted).truncatedTo(ChronoUnit.MICROS);
        sandbox.updatedAt = now;
        return views.view(sandbox);
    }

    /**
     * Replaces a running networked sandbox's egress policy: its worker reloads the rules first (an
     * atomic swap; the old rules stay when it fails), then the record keeps the new policy, so a
     * restarted create or a view never shows a policy that is not in force.
     *
     * @throws SandboxNotFoundException for an unknown or destroyed sandbox
     * @throws StateConflictException when the sandbox is not running or has no network
     * @throws dev.stacyvm.contract.api.ApiException the worker's error when it could not reload the rules
     */
    @Transactional
    public SandboxView changeNetwork(String id, NetworkPolicy policy) {
        if (policy == null) {
            throw new InvalidRequestException("a network policy body is required");
        }
        Sandbox sandbox = Sandbox.findById(id, LockModeType.PESSIMISTIC_WRITE);
        if (sandbox == null || sandbox.state == SandboxState.DESTROYED) {
            throw new SandboxNotFoundException(id);
        }
        if (sandbox.state != SandboxState.RUNNING || !"bridge".equals(sandbox.network)) {
            throw new StateConflictException("sandbox " + id + " is " + sandbox.state.wireName()
                    + " on network " + sandbox.network + ": only a running bridge sandbox's policy can change");
        }
        // the row lock holds off a concurrent change or destroy while the worker reloads the rules
        worker(sandbox.workerId).applyNetworkPolicy(id, policy);
        sandbox.networkPolicy = policy;
        sandbox.updatedAt = Instant.now();
        return views.view(sandbox);
    }

    /** Destroys the sandboxes (one owner's, one tenant's, or all) whose TTL has run out, now rather than on the next sweep. */
    public int pruneExpired(String owner, String tenant) {
        List<String> due = QuarkusTransaction.requiringNew().call(() -> {
            List<SandboxState> prunable = List.of(SandboxState.RUNNING, SandboxState.UNHEALTHY, SandboxState.EXPIRED,
                    SandboxState.ERROR);
            return Sandbox.listVisible(owner, tenant).stream()
                    .filter(sandbox -> prunable.contains(sandbox.state) && !sandbox.expiresAt.isAfter(Instant.now()))
                    .map(sandbox -> sandbox.id)
                    .toList();
        });
        int pruned = 0;
        for (String id : due) {
            try {
                destroy(id, "pruned");
                pruned++;
            } catch (SchedulingException | ApiException failed) {
                Log.warnf("pruning %s failed: %s", id, failed.getMessage());
            }
        }
        return pruned;
    }

    @Transactional
    public SandboxView get(String id, boolean includeDestroyed) {
        Sandbox sandbox = Sandbox.findById(id);
        if (sandbox == null || sandbox.state == SandboxState.DESTROYED && !includeDestroyed) {
            throw new SandboxNotFoundException(id);
        }
        return views.view(sandbox);
    }

    /** The live sandbox's preview generation, which newly issued preview tokens carry. */
    @Transactional
    public PreviewGeneration previewGeneration(String id) {
        Sandbox sandbox = Sandbox.findById(id);
        if (sandbox == null || sandbox.state == SandboxState.DESTROYED) {
            throw new SandboxNotFoundException(id);
        }
        return new PreviewGeneration(sandbox.id, sandbox.previewGeneration);
    }

    /** Revokes every preview token of the sandbox issued so far (see {@link SandboxTransitions#rotatePreviewGeneration}). */
    public PreviewGeneration rotatePreviewGeneration(String id) {
        Sandbox sandbox = transitions.rotatePreviewGeneration(id);
        return new PreviewGeneration(sandbox.id, sandbox.previewGeneration);
    }

    @Transactional
    public List<SandboxView> list(String owner, String tenant) {
        return Sandbox.listVisible(owner, tenant).stream().map(views::view).toList();
    }

    @Transactional
    public Sandbox find(String id) {
        return Sandbox.findById(id);
    }

    private static boolean workerLost(String workerId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Worker worker = Worker.findById(workerId);
            return worker != null && Worker.LOST.equals(worker.status);
        });
    }

    private WorkerApi worker(String workerId) {
        Worker worker = QuarkusTransaction.requiringNew().call(() -> Worker.findById(workerId));
        if (worker == null) {
            throw new WorkerUnavailableException("worker " + workerId + " is not registered", null);
        }
        return workerAt(worker.endpoint);
    }

    private WorkerApi workerAt(String endpoint) {
        return clients.forEndpoint(WorkerApi.class, endpoint, config.workerCallTimeout());
    }

    private static Sandbox newRecord(SandboxSpec spec) {
        Sandbox sandbox = new Sandbox();
        sandbox.id = SandboxIds.next();
        sandbox.ownerId = spec.ownerId();
        sandbox.ownerTenant = OwnerIds.tenantOf(spec.ownerId());
        sandbox.ownerKey = OwnerIds.keyIdOf(spec.ownerId());
        sandbox.provider = spec.provider();
        sandbox.runtime = SandboxSpec.runtimeOrDefault(spec.runtime());
        sandbox.image = spec.image();
        sandbox.memoryMb = spec.memoryMb();
        sandbox.vcpus = spec.vcpus();
        sandbox.pidsLimit = spec.pidsLimit();
        sandbox.diskMb = spec.diskMb();
        sandbox.network = spec.network();
        sandbox.networkPolicy = spec.networkPolicy();
        sandbox.ports = spec.ports() == null ? List.of() : spec.ports();
        sandbox.publicPreview = spec.publicPreview();
        sandbox.metadata = spec.metadata() == null ? Map.of() : spec.metadata();
        sandbox.publishedPorts = Map.of();
        sandbox.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        sandbox.expiresAt = sandbox.createdAt.plusSeconds(spec.ttlSeconds());
        return sandbox;
    }
}
