package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.gateway.config.GatewayConfig;
import dev.stacyvm.support.client.AuditApi;
import dev.stacyvm.support.client.InternalClients;
import dev.stacyvm.support.client.SchedulerApi;
import dev.stacyvm.support.client.WorkerApi;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Clients for the services behind the gateway. A worker's endpoint is asked of the scheduler
 * once and remembered; {@link #forget} drops it after a failed call, so a worker that came back
 * elsewhere is found again.
 */
@ApplicationScoped
public class InternalServices {

    @Inject
    InternalClients clients;

    @Inject
    GatewayConfig config;

    private final ConcurrentMap<String, String> endpoints = new ConcurrentHashMap<>();

    public WorkerApi worker(String workerId, Duration readTimeout) {
        return clients.forEndpoint(WorkerApi.class, workerEndpoint(workerId), readTimeout);
    }

    /** Where a worker answers, as it last registered. */
    public String workerEndpoint(String workerId) {
        if (workerId == null) {
            throw ApiException.unavailable("sandbox is not placed on a worker");
        }
        return endpoints.computeIfAbsent(workerId, id -> scheduler().worker(id).endpoint());
    }

    public void forget(String workerId) {
        endpoints.remove(workerId);
    }

    public SchedulerApi scheduler() {
        return clients.forEndpoint(SchedulerApi.class, config.schedulerUrl(), config.schedulerTimeout());
    }

    public AuditApi audit() {
        return clients.forEndpoint(AuditApi.class, config.auditUrl(), Duration.ofSeconds(30));
    }
}
