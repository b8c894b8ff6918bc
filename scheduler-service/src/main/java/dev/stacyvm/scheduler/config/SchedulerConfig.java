package dev.stacyvm.scheduler.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

@ConfigMapping(prefix = "stacyvm.scheduler")
public interface SchedulerConfig {

    /** A worker whose last heartbeat is older than this gets no new sandboxes. */
    @WithDefault("30s")
    Duration workerHeartbeatTimeout();

    /**
     * Whether placement may use a provider and runtime that is not certified on the worker's host
     * (docs/certification.md). Off: a sandbox goes only where {@code ./stacyvm certify} passed for the
     * host's configuration, and none is {@code 503 unavailable} naming the pair. On: certified workers
     * are still preferred, and a sandbox placed on an uncertified pair says {@code certified: false}.
     */
    @WithDefault("false")
    boolean allowUncertified();

    /** How long the scheduler waits for a worker to create or destroy a runtime. */
    @WithDefault("120s")
    Duration workerCallTimeout();

    /** The domain preview URLs are built on: {@code http://{port}-{id}.{domain}}. */
    @WithDefault("localhost")
    String previewDomain();

    /**
     * How long the maintenance lease (expiry, reconciliation) outlives its holder's last renewal
     * before another scheduler instance takes it over.
     */
    @WithDefault("15s")
    Duration leaseTtl();

    /**
     * How long a sandbox may stay in {@code creating}, {@code expired} or {@code destroying}
     * before the reconciler finishes the step itself (a scheduler that died mid-way leaves them).
     */
    @WithDefault("3m")
    Duration transitionTimeout();

    /** How often records are reconciled with what the workers really run. */
    @WithDefault("5s")
    Duration reconcileInterval();

    /** How long a sandbox whose runtime stopped or vanished stays {@code unhealthy} before it is {@code error}. */
    @WithDefault("30s")
    Duration unhealthyGrace();

    /** The longest wait between two attempts of a failed destroy (the wait doubles from 2 s). */
    @WithDefault("5m")
    Duration destroyRetryMaxBackoff();

    /** {@code http}, or {@code https} when the preview-router (or a proxy before it) serves TLS. */
    @WithDefault("http")
    String previewScheme();

    /** Port the preview-router listens on, appended to preview URLs when it is not 80. */
    @WithDefault("7480")
    int previewPort();

    /**
     * Worker credentials the launcher provisions, as {@code worker-id:sha256-hex} (the SHA-256 of
     * the credential, never the credential). Each is stored once at start unless a credential with
     * that hash already exists, so a revoked one stays revoked.
     */
    Optional<List<String>> bootstrapWorkerCredentials();

    /** The compacted {@code stacyvm.preview-routes} topic the scheduler makes at start when it is missing. */
    PreviewRoutes previewRoutes();

    interface PreviewRoutes {
        /** Its partitions (routes are keyed by sandbox id). */
        @WithDefault("3")
        int partitions();

        /** Its replication factor: 1 on a single broker, 3 on a production cluster. */
        @WithDefault("1")
        short replicationFactor();
    }
}
