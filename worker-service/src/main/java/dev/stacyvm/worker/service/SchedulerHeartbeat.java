package dev.stacyvm.worker.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.Certification;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.internal.WorkerRegistration;
import dev.stacyvm.support.client.InternalClients;
import dev.stacyvm.support.client.SchedulerApi;
import dev.stacyvm.worker.certification.HostCertifications;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.provider.SandboxProviders;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.http.HttpServerStart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Registers this worker with the scheduler and renews it on every beat; the first beat runs once
 * the HTTP server listens, and a scheduler that is not up yet is simply tried again on the next one.
 */
@ApplicationScoped
public class SchedulerHeartbeat {

    @Inject
    WorkerConfig config;

    @Inject
    WorkerIdentity identity;

    @Inject
    InternalClients clients;

    @Inject
    SandboxProviders providers;

    @Inject
    HostCapacityProbe host;

    @Inject
    HostCertifications certifications;

    private volatile Instant lastAccepted;
    private volatile boolean warned;
    private volatile long generation;
    private volatile boolean superseded;
    /** Set once the worker shuts down: no beat may follow the stopping report and undo it. */
    private boolean stopped;
    /**
     * Set once the HTTP server listens. Scheduled beats start with the application, before a slow
     * start-up (engine probes) ends; registering then would let the scheduler place sandboxes on
     * an address that still refuses connections.
     */
    private volatile boolean listening;

    // Quarkus fires this asynchronously, off the event loop, so the first beat may block here
    void listening(@ObservesAsync HttpServerStart started) {
        listening = true;
        beat();
    }

    // synchronized with stopping(): a beat in flight when the shutdown begins lands before the report
    @Scheduled(every = "${stacyvm.worker.heartbeat-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void beat() {
        if (superseded || stopped || !listening) {
            return;
        }
        List<SandboxProvider> healthy = providers.enabled().stream().filter(SandboxProvider::healthy).toList();
        List<String> names = healthy.stream().map(SandboxProvider::name).toList();
        List<String> runtimes = healthy.stream().flatMap(provider -> provider.ociRuntimes().stream()).distinct().toList();
        List<Certification> certified;
        try {
            certified = healthy.stream().flatMap(provider -> certifications.of(provider).stream()).toList();
        } catch (RuntimeException unreadable) {
            // a fault in reading certifications must never stop the heartbeat: nothing is certified then
            Log.warnf("certification state unknown: %s", unreadable.toString());
            certified = List.of();
        }
        WorkerRegistration registration = new WorkerRegistration(identity.id(), config.advertisedEndpoint(),
                config.capacity(), names, config.labels(), identity.instanceId(), generation, host.capacity(), runtimes,
                certified);
        try {
            generation = clients.forEndpoint(SchedulerApi.class, config.schedulerUrl(), Duration.ofSeconds(10))
                    .heartbeat(registration).generation();
            if (lastAccepted == null || warned) {
                Log.infof("registered with the scheduler at %s as %s", config.schedulerUrl(), identity.id());
            }
            lastAccepted = Instant.now();
            warned = false;
        } catch (ApiException refused) {
            if (refused.code() == ErrorCode.CONFLICT) {
                superseded = true;
                lastAccepted = null;
                Log.errorf("this worker process was superseded by a newer one with the id %s: it stops serving (%s)",
                        identity.id(), refused.getMessage());
                return;
            }
            warnOnce(refused);
        } catch (RuntimeException e) {
            warnOnce(e);
        }
    }

    private void warnOnce(RuntimeException e) {
        if (!warned) {
            Log.warnf("scheduler at %s did not take the heartbeat (%s); retrying", config.schedulerUrl(), e.toString());
            warned = true;
        }
    }

    /** Tells the scheduler at shutdown, so that nothing new is placed on a worker that is going away. */
    synchronized void stopping(@Observes ShutdownEvent shutdown) {
        stopped = true;
        if (lastAccepted == null || superseded) {
            return;
        }
        try {
            clients.forEndpoint(SchedulerApi.class, config.schedulerUrl(), Duration.ofSeconds(5))
                    .stopping(identity.id(), identity.instanceId());
        } catch (RuntimeException e) {
            Log.warnf("could not tell the scheduler this worker is stopping: %s", e.toString());
        }
    }

    /**
     * Whether a newer process took this worker over: then this one refuses every internal call and
     * is not ready, so two processes never manage the same runtimes.
     */
    public boolean superseded() {
        return superseded;
    }

    /** When the scheduler last accepted a heartbeat, or null if it never has. */
    public Instant lastAccepted() {
        return lastAccepted;
    }
}
