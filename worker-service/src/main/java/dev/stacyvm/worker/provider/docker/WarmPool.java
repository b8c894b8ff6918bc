package dev.stacyvm.worker.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import dev.stacyvm.contract.internal.ImagePins;
import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.contract.internal.WarmPoolStatus;
import dev.stacyvm.support.client.InternalClients;
import dev.stacyvm.support.client.SchedulerApi;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.SandboxOperationException;
import dev.stacyvm.worker.service.WorkerIdentity;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Containers started ahead of time, per configured image, so that a create of their shape only
 * has to claim one: the claim gives the container to the sandbox ({@link PoolClaims}, which renames
 * it to the sandbox's name right after the create is answered; the name is how a sandbox's
 * container is found from then on). A claimed container leaves the pool for good; nothing in the
 * pool has ever run a command, so no sandbox inherits anything from another. The pool is topped
 * up in the background, one container at a time, after every claim and every
 * {@code check-interval}; a create that finds its pool empty starts a container cold.
 *
 * <p>Pooled containers carry the pool label and no sandbox or owner; a worker that restarts adopts
 * the pooled containers of its configured shapes and of its agent binary (by digest), and removes
 * the rest.
 */
@ApplicationScoped
public class WarmPool {

    static final String LABEL_POOL = "dev.stacyvm.pool";
    static final String NAME_PREFIX = "stacyvm-pool-";
    private static final long REFILL_DELAY_MILLIS = 200;

    @Inject
    DockerClient docker;

    @Inject
    io.micrometer.core.instrument.MeterRegistry metrics;

    @Inject
    HardenedContainers containers;

    @Inject
    WorkerConfig config;

    @Inject
    WorkerIdentity identity;

    @Inject
    InternalClients clients;

    @Inject
    PoolClaims claims;

    /** Set once at start, before the pool thread runs; read by request threads from then on. */
    private volatile Map<ContainerShape, Pool> pools = Map.of();
    /** Containers taken out of a pool whose rename the engine may not show yet; guarded by {@code this}. */
    private final Set<String> claiming = new HashSet<>();
    private volatile ScheduledExecutorService filler;
    /** The first 16 hex digits of the SHA-256 of the agent binary this worker mounts; set at start. */
    private volatile String agentDigest = "";

    /** The containers one pool holds ready, oldest first, how many it keeps, and what it has counted. */
    private static final class Pool {
        volatile int target;
        final ConcurrentLinkedDeque<Pooled> ready = new ConcurrentLinkedDeque<>();
        final AtomicLong claimed = new AtomicLong();
        final AtomicLong missed = new AtomicLong();
        volatile String lastFailure;
    }

    private record Pooled(String name, String containerId) {
    }

    void start(@Observes StartupEvent started) {
        WorkerConfig.WarmPool settings = config.warmPool();
        agentDigest = digestOf(Path.of(config.agentPath()));
        // containers the last run claimed get their sandboxes' names before any pool is filled or adopts one
        claims.replay();
        pools = pools(List.of());
        filler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("warm-pool").daemon().factory());
        filler.scheduleWithFixedDelay(this::checkAndFill, 0, settings.checkInterval().toMillis(), TimeUnit.MILLISECONDS);
        filler.scheduleWithFixedDelay(this::readTemplatePools, 0, settings.demandInterval().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * The pools to keep: the operator's ({@code size} of each configured image, in the configured
     * shape) and the templates' ({@code pool_size} of each template shape, at most
     * {@code max-template-containers} together, in the order the scheduler lists them). A pool
     * already kept keeps its ready containers; one no longer asked for is dropped, and its
     * containers are removed as strays at the next check.
     */
    /**
     * Whether a pool of {@code image} can be filled here: a build's image is only on the worker that
     * built it, so the other workers keep no pool of it.
     */
    private boolean heldIfBuilt(String image) {
        try {
            if (!dev.stacyvm.contract.image.ImageReference.parse(image).built()) {
                return true;
            }
            docker.inspectImageCmd(image).exec();
            return true;
        } catch (IllegalArgumentException | com.github.dockerjava.api.exception.NotFoundException notHere) {
            return false;
        }
    }

    private synchronized Map<ContainerShape, Pool> pools(List<ImagePins.WarmPoolDemand> demands) {
        WorkerConfig.WarmPool settings = config.warmPool();
        Map<ContainerShape, Integer> targets = new LinkedHashMap<>();
        if (settings.size() > 0) {
            for (String image : settings.images()) {
                targets.merge(ContainerShape.isolated(image.trim(), settings.memoryMb(), settings.vcpus(),
                        settings.pidsLimit(), settings.diskMb()), settings.size(), Integer::sum);
            }
        }
        int left = settings.maxTemplateContainers();
        for (ImagePins.WarmPoolDemand demand : demands) {
            int size = Math.min(Math.max(0, demand.size()), left);
            // a pool asks for what a create may have: never less than a sandbox needs, never a host's worth
            boolean sane = demand.image() != null && demand.memoryMb() >= 64 && demand.memoryMb() <= 65536
                    && demand.vcpus() >= 1 && demand.vcpus() <= 64 && demand.pidsLimit() >= 16
                    && demand.pidsLimit() <= 65536 && demand.diskMb() >= 64;
            if (size > 0 && sane && heldIfBuilt(demand.image())) {
                targets.merge(ContainerShape.isolated(demand.image(), demand.memoryMb(), demand.vcpus(),
                        demand.pidsLimit(), demand.diskMb()), size, Integer::sum);
                left -= size;
            }
        }
        Map<ContainerShape, Pool> kept = new LinkedHashMap<>();
        targets.forEach((shape, target) -> {
            Pool pool = pools.getOrDefault(shape, new Pool());
            pool.target = target;
            kept.put(shape, pool);
        });
        return java.util.Collections.unmodifiableMap(kept);
    }

    /** Reads the templates' pools from the scheduler; the pools stay as they are when it cannot say. */
    private void readTemplatePools() {
        try {
            List<ImagePins.WarmPoolDemand> demands = clients.forEndpoint(SchedulerApi.class, config.schedulerUrl(),
                    java.time.Duration.ofSeconds(10)).pinnedImages(identity.id()).pools();
            String before = summary(pools);
            pools = pools(demands);
            String after = summary(pools);
            if (!after.equals(before)) {
                Log.infof("warm pools now: %s", after);
            }
        } catch (RuntimeException unreachable) {
            Log.debugf("templates' warm pools unknown (%s); keeping the pools as they are", unreachable.getMessage());
        }
    }

    private static String summary(Map<ContainerShape, Pool> pools) {
        return pools.entrySet().stream().map(entry -> entry.getKey().image() + " " + entry.getKey().memoryMb() + "m x"
                + entry.getValue().target).toList().toString();
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (filler != null) {
            // pooled containers stay: the next start of this worker adopts them
            filler.shutdownNow();
        }
    }

    /**
     * Claims a ready container for the sandbox when its pool has one ({@link PoolClaims} renames it
     * to the sandbox's name in the background); empty when no pool matches the spec (or it is
     * empty), and the caller starts one cold. A create retried in this worker's run gets the
     * container its first attempt claimed.
     */
    Optional<InspectContainerResponse> claim(RuntimeSpec spec) {
        Optional<String> retried = claims.claimedContainer(spec.sandboxId());
        if (retried.isPresent()) {
            try {
                return Optional.of(docker.inspectContainerCmd(retried.get()).exec());
            } catch (NotFoundException gone) {
                claims.forget(spec.sandboxId());
            }
        }
        Optional<InspectContainerResponse> claimed = claimFromPool(spec);
        // stacyvm_warm_pool_claims_total: every create that asks the pool (not one with a registry
        // credential, pull_policy always or a private image); a miss starts cold, whatever the reason
        io.micrometer.core.instrument.Counter.builder("stacyvm.warm_pool.claims")
                .description("creates that asked the warm pool, by outcome").tag("outcome", claimed.isPresent() ? "hit" : "miss")
                .register(metrics).increment();
        return claimed;
    }

    private Optional<InspectContainerResponse> claimFromPool(RuntimeSpec spec) {
        if (filler == null || (spec.env() != null && !spec.env().isEmpty())) {
            return Optional.empty();
        }
        Pool pool = pools.get(ContainerShape.of(spec, config.disk().defaultMb()));
        if (pool == null) {
            return Optional.empty();
        }
        try {
            Pooled pooled;
            while ((pooled = take(pool)) != null) {
                InspectContainerResponse container;
                try {
                    container = docker.inspectContainerCmd(pooled.containerId()).exec();
                } catch (NotFoundException vanished) {
                    continue;
                }
                if (container.getState() != null && Boolean.TRUE.equals(container.getState().getRunning())) {
                    String mine;
                    try {
                        mine = claims.claim(spec.sandboxId(), pooled.containerId());
                    } catch (java.io.UncheckedIOException unwritable) {
                        // nothing ran in it: it stays ready, and this create starts cold
                        release(pool, pooled);
                        Log.warnf("could not record a warm-pool claim: %s", unwritable.getMessage());
                        return Optional.empty();
                    }
                    if (!mine.equals(pooled.containerId())) {
                        // the same create, twice at once: the first claim's container is the sandbox's
                        release(pool, pooled);
                        return Optional.of(docker.inspectContainerCmd(mine).exec());
                    }
                    pool.claimed.incrementAndGet();
                    return Optional.of(container);
                }
                Log.warnf("pooled container %s had stopped; removing it", pooled.name());
                containers.remove(pooled.containerId());
            }
            pool.missed.incrementAndGet();
            return Optional.empty();
        } finally {
            fillSoon();
        }
    }

    /** Puts a container taken but not claimed back at the head of its pool. */
    private synchronized void release(Pool pool, Pooled pooled) {
        claiming.remove(pooled.containerId());
        pool.ready.addFirst(pooled);
    }

    private synchronized Pooled take(Pool pool) {
        Pooled pooled = pool.ready.pollFirst();
        if (pooled != null) {
            claiming.add(pooled.containerId());
        }
        return pooled;
    }

    @jakarta.annotation.PostConstruct
    void gauge() {
        // the pools are replaced as demand changes: read the current ones at every scrape
        io.micrometer.core.instrument.Gauge.builder("stacyvm.warm_pool.ready", this,
                        warm -> warm.pools.values().stream().mapToInt(pool -> pool.ready.size()).sum())
                .description("started containers waiting in this worker's warm pools").register(metrics);
    }

    /** Every pool with its counts; empty when the pool is off. */
    public List<WarmPoolStatus> status() {
        return pools.entrySet().stream().map(entry -> {
            ContainerShape shape = entry.getKey();
            Pool pool = entry.getValue();
            return new WarmPoolStatus(shape.image(), shape.memoryMb(), shape.vcpus(), shape.pidsLimit(), pool.target,
                    pool.ready.size(), pool.claimed.get(), pool.missed.get());
        }).toList();
    }

    /**
     * Tops the pools up shortly after a claim: starting a container keeps the engine busy for a
     * while, and the request that claimed one should finish first.
     */
    private void fillSoon() {
        try {
            filler.schedule(this::checkAndFill, REFILL_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            // the worker is stopping: nothing to refill for
        }
    }

    /** Runs on the pool's one thread: forgets what died, adopts or removes strays, tops each pool up. */
    private void checkAndFill() {
        claims.retry();
        try {
            reconcileWithEngine();
            for (Map.Entry<ContainerShape, Pool> entry : pools.entrySet()) {
                fill(entry.getKey(), entry.getValue());
            }
        } catch (RuntimeException e) {
            Log.warnf("warm pool check failed: %s", HardenedContainers.firstLine(e.getMessage()));
        }
    }

    private void reconcileWithEngine() {
        Map<String, Container> engine = new HashMap<>();
        for (Container container : docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(DockerSandboxProvider.LABEL_WORKER, identity.id())).exec()) {
            String name = nameOf(container);
            if (name != null && name.startsWith(NAME_PREFIX)) {
                engine.put(container.getId(), container);
            }
        }
        List<Container> strays = new ArrayList<>();
        synchronized (this) {
            claiming.retainAll(engine.keySet());
            Set<String> held = new HashSet<>(claiming);
            // and a claim whose rename failed (or is left from the last run) stays its sandbox's
            held.addAll(claims.bySandbox().keySet());
            for (Pool pool : pools.values()) {
                pool.ready.removeIf(pooled -> {
                    Container container = engine.get(pooled.containerId());
                    return container == null || !"running".equals(container.getState());
                });
                pool.ready.forEach(pooled -> held.add(pooled.containerId()));
            }
            for (Container container : engine.values()) {
                if (held.contains(container.getId())) {
                    continue;
                }
                Pool pool = poolOf(container);
                if (pool != null && "running".equals(container.getState()) && pool.ready.size() < pool.target) {
                    pool.ready.addLast(new Pooled(nameOf(container), container.getId()));
                    Log.infof("adopted pooled container %s", nameOf(container));
                } else {
                    strays.add(container);
                }
            }
        }
        // nothing takes a stray any more: it is in no pool and no claim holds it
        strays.forEach(stray -> containers.remove(stray.getId()));
    }

    private void fill(ContainerShape shape, Pool pool) {
        while (pool.ready.size() < pool.target && !Thread.currentThread().isInterrupted()) {
            String name = NAME_PREFIX + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
            Map<String, String> labels = Map.of(
                    DockerSandboxProvider.LABEL_MANAGED, "true",
                    DockerSandboxProvider.LABEL_WORKER, identity.id(),
                    LABEL_POOL, shape.poolKey(agentDigest, config.agentSocket()));
            try {
                InspectContainerResponse started = containers.start(name, shape, List.of(), labels, ImageRequest.OPERATORS);
                pool.ready.addLast(new Pooled(name, started.getId()));
                pool.lastFailure = null;
            } catch (SandboxOperationException | com.github.dockerjava.api.exception.DockerException e) {
                containers.remove(name);
                if (!e.getMessage().equals(pool.lastFailure)) {
                    Log.warnf("could not add a container to the warm pool of %s: %s", shape.image(), e.getMessage());
                    pool.lastFailure = e.getMessage();
                }
                return;
            }
        }
    }

    private Pool poolOf(Container container) {
        String key = container.getLabels() == null ? null : container.getLabels().get(LABEL_POOL);
        return pools.entrySet().stream().filter(entry -> entry.getKey().poolKey(agentDigest, config.agentSocket()).equals(key))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    /** The first 16 hex digits of a file's SHA-256; "unreadable" when it cannot be read. */
    static String digestOf(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int read; (read = in.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, read);
            }
            return HexFormat.of().formatHex(sha256.digest()).substring(0, 16);
        } catch (IOException | NoSuchAlgorithmException e) {
            Log.warnf("cannot read the agent binary %s: %s", file, e.getMessage());
            return "unreadable";
        }
    }

    static String nameOf(Container container) {
        if (container.getNames() == null || container.getNames().length == 0) {
            return null;
        }
        String name = container.getNames()[0];
        return name.startsWith("/") ? name.substring(1) : name;
    }
}
