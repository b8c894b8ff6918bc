package dev.stacyvm.worker.service;

import dev.stacyvm.contract.api.WorkerRegistration;
import dev.stacyvm.support.client.InternalClients;
import dev.stacyvm.support.client.SchedulerApi;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.provider.SandboxProvider;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Registers this worker with the scheduler and renews it on every beat; the first beat runs at
 * start, and a scheduler that is not up yet is simply tried again on the next one.
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
    Instance<SandboxProvider> providers;

    private volatile Instant lastAccepted;
    private volatile boolean warned;

    @Scheduled(every = "${stacyvm.worker.heartbeat-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void beat() {
        List<String> names = providers.stream().filter(SandboxProvider::healthy).map(SandboxProvider::name).toList();
        WorkerRegistration registration = new WorkerRegistration(identity.id(), config.advertisedEndpoint(),
                config.capacity(), names, config.labels());
        try {
            clients.forEndpoint(SchedulerApi.class, config.schedulerUrl(), Duration.ofSeconds(10)).heartbeat(registration);
            if (lastAccepted == null || warned) {
                Log.infof("registered with the scheduler at %s as %s", config.schedulerUrl(), identity.id());
            }
            lastAccepted = Instant.now();
            warned = false;
        } catch (RuntimeException e) {
            if (!warned) {
                Log.warnf("scheduler at %s did not take the heartbeat (%s); retrying", config.schedulerUrl(), e.toString());
                warned = true;
            }
        }
    }

    /** When the scheduler last accepted a heartbeat, or null if it never has. */
    public Instant lastAccepted() {
        return lastAccepted;
    }
}
