package dev.stacyvm.worker.service;

import dev.stacyvm.worker.config.WorkerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** This worker's id: configured, or {@code worker-<hostname>} so that a restart keeps it. */
@ApplicationScoped
public class WorkerIdentity {

    @Inject
    WorkerConfig config;

    private volatile String id;
    private final String instanceId = java.util.UUID.randomUUID().toString();

    /** This process's instance: new at every start, so the scheduler can tell a restart from a rival. */
    public String instanceId() {
        return instanceId;
    }

    public String id() {
        if (id == null) {
            id = config.id().filter(value -> !value.isBlank()).orElseGet(WorkerIdentity::hostnameId);
        }
        return id;
    }

    private static String hostnameId() {
        try {
            return "worker-" + InetAddress.getLocalHost().getHostName().toLowerCase();
        } catch (UnknownHostException e) {
            return "worker-local";
        }
    }
}
