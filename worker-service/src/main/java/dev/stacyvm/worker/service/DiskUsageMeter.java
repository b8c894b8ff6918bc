package dev.stacyvm.worker.service;

import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.ProviderFailureException;
import dev.stacyvm.worker.error.RuntimeNotFoundException;
import dev.stacyvm.worker.error.SandboxOperationException;
import dev.stacyvm.worker.error.WorkerUnavailableException;
import dev.stacyvm.worker.provider.SandboxProviders;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes each sandbox has written, measured by the engine at most once per change. Asking the
 * engine is costly (for a driver without its own accounting it compares the container's layer
 * with its image, file by file: hundreds of milliseconds of the engine's CPU for an empty
 * sandbox), so a figure is kept and answered again until the sandbox may have written more: a
 * call that could write ({@link #written}) or {@code stacyvm.worker.disk-usage.max-age} (a
 * background process writes unseen) makes it stale. The engine measures one sandbox at a time
 * per worker, and concurrent askers of one sandbox share one measurement, so no rate of reads
 * can make the engine do more than one walk at once.
 */
@ApplicationScoped
public class DiskUsageMeter {

    @Inject
    SandboxProviders providers;

    @Inject
    WorkerConfig config;

    private final Map<String, Sandbox> sandboxes = new ConcurrentHashMap<>();
    private final ExecutorService engine = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("disk-usage").daemon().factory());

    /** One figure: the bytes, the write generation it was measured at, and when (System.nanoTime). */
    private record Figure(long bytes, long generation, long measuredAtNanos) {
    }

    private static final class Sandbox {
        final AtomicLong generation = new AtomicLong();
        volatile Figure figure;
        CompletableFuture<Figure> measuring; // guarded by this
    }

    /** Marks the sandbox's figure stale: a call that may have written to its disk began or ended. */
    public void written(String sandboxId) {
        Sandbox sandbox = sandboxes.get(sandboxId);
        if (sandbox != null) {
            sandbox.generation.incrementAndGet();
        }
    }

    /** Forgets a destroyed sandbox. */
    public void forget(String sandboxId) {
        sandboxes.remove(sandboxId);
    }

    /**
     * The bytes the sandbox's writable layer holds: the kept figure while it is fresh, else a new
     * measurement (waiting at most {@code stacyvm.worker.disk-usage.max-wait}).
     *
     * @throws RuntimeNotFoundException when the sandbox has no runtime here
     * @throws WorkerUnavailableException when the engine does not answer in time
     */
    public long usedBytes(String sandboxId) {
        Sandbox sandbox = sandboxes.computeIfAbsent(sandboxId, id -> new Sandbox());
        Figure figure = sandbox.figure;
        if (figure != null && fresh(sandbox, figure)) {
            return figure.bytes();
        }
        try {
            return measurement(sandboxId, sandbox).get(config.diskUsage().maxWait().toMillis(), TimeUnit.MILLISECONDS).bytes();
        } catch (ExecutionException | CompletionException failed) {
            if (failed.getCause() instanceof SandboxOperationException answer) {
                if (answer instanceof RuntimeNotFoundException) {
                    sandboxes.remove(sandboxId, sandbox);
                }
                throw answer;
            }
            throw new ProviderFailureException("could not measure the sandbox's disk: " + failed.getCause());
        } catch (TimeoutException slow) {
            throw new WorkerUnavailableException("the engine is still measuring the sandbox's disk");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerUnavailableException("worker is shutting down");
        }
    }

    private boolean fresh(Sandbox sandbox, Figure figure) {
        return figure.generation() == sandbox.generation.get()
                && System.nanoTime() - figure.measuredAtNanos() < config.diskUsage().maxAge().toNanos();
    }

    /** The measurement in flight for the sandbox, or a new one queued behind the others. */
    private CompletableFuture<Figure> measurement(String sandboxId, Sandbox sandbox) {
        synchronized (sandbox) {
            if (sandbox.measuring == null || sandbox.measuring.isDone()) {
                sandbox.measuring = CompletableFuture.supplyAsync(() -> {
                    // the generation before the engine looks: a write meanwhile leaves the figure stale
                    long generation = sandbox.generation.get();
                    long bytes = providers.forSandbox(sandboxId).diskUsedBytes(sandboxId);
                    Figure measured = new Figure(bytes, generation, System.nanoTime());
                    sandbox.figure = measured;
                    return measured;
                }, engine);
            }
            return sandbox.measuring;
        }
    }

    void stop(@Observes ShutdownEvent stopping) {
        engine.shutdownNow();
    }
}
