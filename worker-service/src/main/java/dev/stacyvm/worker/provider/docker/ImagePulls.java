package dev.stacyvm.worker.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.error.ProviderFailureException;
import dev.stacyvm.worker.error.SandboxOperationException;
import dev.stacyvm.worker.error.WorkerUnavailableException;
import dev.stacyvm.worker.images.ImageReference;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Images a sandbox names that the engine lacks are pulled before its container is created, as
 * {@code docker run} does, under the operator's pull policy ({@code stacyvm.worker.images.*}):
 * {@code if-not-present} pulls a missing image, {@code always} pulls every time, {@code never}
 * refuses a missing one. A Docker Hub reference ({@code alpine:latest}) is asked of the
 * operator's registry mirrors first, in order, then of Docker Hub itself, the way the engine's
 * {@code registry-mirrors} works, so an air-gapped site serves official images from its own
 * registry (with {@code mirrors-only}, never Docker Hub itself); the image is then tagged as the
 * reference asked. A fully qualified reference goes to
 * its own registry. Creates of one image share one pull; a pull is bounded by
 * {@code pull-timeout}, and a pull that outlives it is abandoned.
 */
@ApplicationScoped
public class ImagePulls {

    /** The pull policies an operator may set (docs/images.md). */
    public enum PullPolicy {
        IF_NOT_PRESENT, ALWAYS, NEVER
    }

    @Inject
    DockerClient docker;

    @Inject
    WorkerConfig config;

    @Inject
    MeterRegistry metrics;

    private final ConcurrentMap<String, CompletableFuture<String>> pulling = new ConcurrentHashMap<>();
    private final ExecutorService pullers = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "image-pull");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * Makes the image present as the policy says, and answers the name to create the container
     * from: the reference as given, or, for a digest pulled through a mirror (a digest cannot be
     * tagged), the mirror's reference to that digest.
     *
     * @throws InvalidRequestException when the reference is malformed, or no registry has the
     *     image (naming each place asked), or the policy is {@code never} and it is missing
     * @throws WorkerUnavailableException when the pull outlived {@code pull-timeout}
     * @throws ProviderFailureException when the engine failed otherwise
     */
    public String ensure(String image) {
        ImageReference reference;
        try {
            reference = ImageReference.parse(image);
        } catch (IllegalArgumentException malformed) {
            throw new InvalidRequestException("image \"" + image + "\": " + malformed.getMessage());
        }
        PullPolicy policy = config.images().pullPolicy();
        if (policy != PullPolicy.ALWAYS && present(image)) {
            return image;
        }
        if (policy == PullPolicy.NEVER) {
            throw new InvalidRequestException("image \"" + image + "\" is not on this worker, and its pull policy is "
                    + "never (stacyvm.worker.images.pull-policy)");
        }
        CompletableFuture<String> pull = new CompletableFuture<>();
        CompletableFuture<String> shared = pulling.putIfAbsent(image, pull);
        if (shared == null) {
            shared = pull;
            pullers.execute(() -> {
                try {
                    pull.complete(pullNow(image, reference));
                } catch (RuntimeException failed) {
                    pull.completeExceptionally(failed);
                } finally {
                    pulling.remove(image, pull);
                }
            });
        }
        Duration timeout = config.images().pullTimeout();
        try {
            return shared.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException slow) {
            throw new WorkerUnavailableException("pulling image \"" + image + "\" took longer than " + timeout
                    + " (stacyvm.worker.images.pull-timeout)");
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new WorkerUnavailableException("worker is shutting down");
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof SandboxOperationException answer) {
                throw answer;
            }
            Log.warnf(failed.getCause(), "pulling %s failed", image);
            throw new ProviderFailureException("the engine could not pull image \"" + image + "\"");
        }
    }

    /** Pulls from each source in turn until one has the image; answers the name to create from. */
    private String pullNow(String image, ImageReference reference) {
        List<ImageReference> sources = new ArrayList<>();
        if (reference.dockerHub()) {
            config.images().registryMirrors().orElse(List.of()).stream()
                    .map(ImagePulls::mirrorHost).forEach(mirror -> sources.add(reference.in(mirror)));
        }
        // an air-gapped site never asks Docker Hub itself
        if (!reference.dockerHub() || !config.images().mirrorsOnly()) {
            sources.add(reference);
        }
        if (sources.isEmpty()) {
            throw new InvalidRequestException("image \"" + image + "\" is Docker Hub's, and this worker pulls Docker "
                    + "Hub's images from its mirrors only, of which it has none (stacyvm.worker.images.registry-mirrors)");
        }
        List<String> tried = new ArrayList<>();
        long deadline = System.nanoTime() + config.images().pullTimeout().toNanos();
        for (ImageReference source : sources) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            PullImageResultCallback callback = new PullImageResultCallback();
            try {
                docker.pullImageCmd(source.pullRepository()).withTag(source.pullTag()).exec(callback);
                if (!callback.awaitCompletion(left, TimeUnit.NANOSECONDS)) {
                    count("timed-out", source, reference);
                    throw new WorkerUnavailableException("pulling image \"" + image + "\" took longer than "
                            + config.images().pullTimeout() + " (stacyvm.worker.images.pull-timeout)");
                }
                count("pulled", source, reference);
                Log.infof("pulled %s from %s", image, source);
                return tagAs(image, reference, source);
            } catch (NotFoundException | DockerClientException missing) {
                tried.add(source + " (" + firstLine(missing.getMessage()) + ")");
            } catch (DockerException refused) {
                tried.add(source + " (" + firstLine(refused.getMessage()) + ")");
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new WorkerUnavailableException("worker is shutting down");
            } finally {
                closeQuietly(callback); // ends the engine's stream of a pull abandoned at its timeout
            }
        }
        count("failed", reference, reference);
        throw new InvalidRequestException("image \"" + image + "\" could not be pulled; tried " + String.join(", ", tried));
    }

    /** Tags an image pulled through a mirror as the reference asked; a digest stays the mirror's. */
    private String tagAs(String image, ImageReference asked, ImageReference source) {
        if (source.equals(asked)) {
            return image;
        }
        String pulled = source.pullRepository() + (source.digest() != null ? "@" + source.digest() : ":" + source.tag());
        if (asked.digest() != null) {
            return pulled;
        }
        docker.tagImageCmd(pulled, asked.pullRepository(), asked.tag()).exec();
        return image;
    }

    private boolean present(String image) {
        try {
            docker.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException missing) {
            return false;
        }
    }

    private void count(String outcome, ImageReference source, ImageReference asked) {
        metrics.counter("stacyvm.image.pulls", "outcome", outcome, "source",
                source.equals(asked) ? "registry" : "mirror").increment();
    }

    /** A mirror's {@code host[:port]}, from a URL ({@code http://127.0.0.1:5000}) or a bare host. */
    static String mirrorHost(String mirror) {
        String trimmed = mirror.trim();
        URI uri = URI.create(trimmed.contains("://") ? trimmed : "http://" + trimmed);
        return uri.getPort() > 0 ? uri.getHost() + ":" + uri.getPort() : uri.getHost();
    }

    private static void closeQuietly(PullImageResultCallback callback) {
        try {
            callback.close();
        } catch (java.io.IOException ignored) {
            // the pull is over either way
        }
    }

    private static String firstLine(String message) {
        return HardenedContainers.firstLine(message);
    }
}
