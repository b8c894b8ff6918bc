package dev.stacyvm.worker.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AuthConfig;
import dev.stacyvm.contract.image.ImageReference;
import dev.stacyvm.contract.image.RegistryCredential;
import dev.stacyvm.contract.internal.PullProgress;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.error.ProviderFailureException;
import dev.stacyvm.worker.error.SandboxOperationException;
import dev.stacyvm.worker.error.WorkerUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

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
 * {@code pull-timeout}, and a pull that outlives it is abandoned. A sandbox's tenant's registry
 * credential is used for its image's registry only; an image pulled with one is private
 * ({@link PrivateImages}) and pulled again, with the next sandbox's own credential or none, before
 * that sandbox runs it.
 */
@ApplicationScoped
public class ImagePulls {

    /** The pull policies an operator, a template or a create may set (docs/images.md). */
    public enum PullPolicy {
        IF_NOT_PRESENT, ALWAYS, NEVER;

        /** The policy by its wire name ({@code if-not-present}, {@code always}, {@code never}); null for null. */
        public static PullPolicy of(String name) {
            if (name == null || name.isBlank()) {
                return null;
            }
            for (PullPolicy policy : values()) {
                if (policy.name().replace('_', '-').equalsIgnoreCase(name.trim())) {
                    return policy;
                }
            }
            throw new InvalidRequestException("pull_policy must be if-not-present, always or never, not \"" + name
                    + "\"");
        }
    }

    @Inject
    DockerClient docker;

    @Inject
    WorkerConfig config;

    @Inject
    MeterRegistry metrics;

    @Inject
    PrivateImages privateImages;

    @Inject
    ImageUsage usage;

    /** How often a pull's progress is passed on, at most. */
    static final long PROGRESS_INTERVAL_MILLIS = 2000;

    /** A pull under way: its outcome, and whoever waits for it and wants to hear how it goes. */
    private record Pull(CompletableFuture<String> done, List<Consumer<PullProgress>> listeners) {
        void tell(PullProgress progress) {
            for (Consumer<PullProgress> listener : listeners) {
                try {
                    listener.accept(progress);
                } catch (RuntimeException ignored) {
                    // a listener's trouble never fails the pull
                }
            }
        }
    }

    private final ConcurrentMap<String, Pull> pulling = new ConcurrentHashMap<>();
    private final ExecutorService pullers = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "image-pull");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * Makes the image present as the policy says, for a sandbox with no registry credential.
     *
     * @see #ensure(String, RegistryCredential)
     */
    public String ensure(String image) {
        return ensure(image, null, null, progress -> { });
    }

    /**
     * Makes the image present as the policy says ({@code override}, a template's or a create's, else
     * the operator's), pulling with {@code credential} (its tenant's, for the image's registry; null:
     * anonymously) and telling {@code progress} how the pull goes (a pull shared with other creates
     * tells each of them), and answers the name to create the container from:
     * the reference as given, or, for a digest pulled through a mirror (a digest cannot be tagged),
     * the mirror's reference to that digest. A private image the worker has is pulled again first.
     *
     * @throws InvalidRequestException when the reference is malformed, or no registry has the
     *     image or lets this credential pull it (naming each place asked), or the policy is
     *     {@code never} and it is missing (or private, so access cannot be proven)
     * @throws WorkerUnavailableException when the pull outlived {@code pull-timeout}
     * @throws ProviderFailureException when the engine failed otherwise
     */
    public String ensure(String image, RegistryCredential credential, PullPolicy override,
            Consumer<PullProgress> progress) {
        ImageReference reference;
        try {
            reference = ImageReference.parse(image);
        } catch (IllegalArgumentException malformed) {
            throw new InvalidRequestException("image \"" + image + "\": " + malformed.getMessage());
        }
        if (reference.built()) {
            // a build's image exists only where it was built: there is nowhere to pull it from
            if (present(image, reference)) {
                return image;
            }
            throw new InvalidRequestException("image \"" + image + "\" is a build's image and is not on this worker");
        }
        PullPolicy policy = override != null ? override : config.images().pullPolicy();
        boolean present = policy != PullPolicy.ALWAYS && present(image, reference);
        boolean presentPrivate = present && privateImages.isPrivate(reference);
        if (present && !presentPrivate) {
            return image;
        }
        if (policy == PullPolicy.NEVER) {
            // the same words whether it is missing or another tenant's: a refusal tells nobody what others pulled
            throw new InvalidRequestException("image \"" + image + "\" is not on this worker for this sandbox, and its "
                    + "pull policy is never");
        }
        // creates sharing a pull share its credential too: never one tenant's pull for another
        String key = image + "\0" + credentialKey(credential);
        Pull pull = new Pull(new CompletableFuture<>(), new java.util.concurrent.CopyOnWriteArrayList<>());
        Pull joined = pulling.putIfAbsent(key, pull);
        Pull shared = joined == null ? pull : joined;
        shared.listeners().add(progress);
        progress.accept(new PullProgress(PullProgress.PULLING, "pulling " + image, 0, 0));
        if (joined == null) {
            pullers.execute(() -> {
                try {
                    pull.done().complete(pullNow(image, reference, credential, pull));
                } catch (RuntimeException failed) {
                    pull.done().completeExceptionally(failed);
                } finally {
                    pulling.remove(key, pull);
                }
            });
        }
        Duration timeout = config.images().pullTimeout();
        try {
            return shared.done().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
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

    /** Whether the image's repository was pulled with a registry credential here (a malformed one counts as private). */
    public boolean isPrivate(String image) {
        try {
            return privateImages.isPrivate(ImageReference.parse(image));
        } catch (IllegalArgumentException malformed) {
            return true;
        }
    }

    /**
     * The digest of the image a container was created from: the registry's manifest digest it was
     * pulled by ({@code sha256:...}), or its image id when no registry served it (built here).
     */
    public String digestOf(String imageId) {
        try {
            List<String> repoDigests = docker.inspectImageCmd(imageId).exec().getRepoDigests();
            if (repoDigests != null) {
                for (String repoDigest : repoDigests) {
                    int at = repoDigest.indexOf('@');
                    if (at > 0) {
                        return repoDigest.substring(at + 1);
                    }
                }
            }
        } catch (NotFoundException gone) {
            // removed since the container was made; its id is still what it runs
        }
        return imageId;
    }

    /** Pulls from each source in turn until one has the image; answers the name to create from. */
    private String pullNow(String image, ImageReference reference, RegistryCredential credential, Pull pull) {
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
        if (!reference.dockerHub()) {
            String refused = RegistryAddresses.refusedAddress(reference.registry(),
                    config.images().privateRegistries().orElse(List.of()));
            if (refused != null) {
                throw new InvalidRequestException("image \"" + image + "\" names registry " + reference.registry()
                        + " at the private address " + refused + ", which this worker asks only when its operator "
                        + "lists it (stacyvm.worker.images.private-registries)");
            }
        }
        List<String> tried = new ArrayList<>();
        long deadline = System.nanoTime() + config.images().pullTimeout().toNanos();
        for (ImageReference source : sources) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            PullProgressCallback callback = new PullProgressCallback(image, pull::tell, PROGRESS_INTERVAL_MILLIS);
            // a credential goes to its own registry only, never to a mirror
            boolean authenticated = credential != null && credential.registry().equals(source.registry());
            try {
                // anonymous means no credential at all, never one the engine's client found on the host
                AuthConfig auth = new AuthConfig();
                if (authenticated) {
                    auth.withRegistryAddress(credential.registry()).withUsername(credential.username())
                            .withPassword(credential.password());
                    // private before a byte arrives: a crash or a create racing the pull never finds it public
                    privateImages.markPrivate(reference);
                }
                docker.pullImageCmd(source.pullRepository()).withTag(source.pullTag()).withAuthConfig(auth).exec(callback);
                if (!callback.awaitCompletion(left, TimeUnit.NANOSECONDS)) {
                    count("timed-out", source, reference);
                    throw new WorkerUnavailableException("pulling image \"" + image + "\" took longer than "
                            + config.images().pullTimeout() + " (stacyvm.worker.images.pull-timeout)");
                }
                count("pulled", source, reference);
                Log.infof("pulled %s from %s%s", image, source, authenticated ? " as " + credential.username() : "");
                String name = tagAs(image, reference, source);
                usage.used(docker.inspectImageCmd(name).exec().getId()); // a fresh pull is not garbage yet
                pull.tell(callback.pulled());
                return name;
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

    /**
     * Names an image pulled through a mirror as the reference asked, dropping the mirror's tag; a
     * digest stays the mirror's, since a digest cannot be tagged.
     */
    private String tagAs(String image, ImageReference asked, ImageReference source) {
        if (source.equals(asked)) {
            return image;
        }
        String pulled = source.pullRepository() + (source.digest() != null ? "@" + source.digest() : ":" + source.tag());
        if (asked.digest() != null) {
            return pulled;
        }
        docker.tagImageCmd(pulled, asked.pullRepository(), asked.tag()).exec();
        // the mirror's name is the same image under a second tag: only the name asked for stays
        docker.removeImageCmd(pulled).withNoPrune(true).exec();
        return image;
    }

    /**
     * Whether the engine holds an image by this name. Only a name counts: the engine also finds an
     * image by its id or a prefix of it ({@code docker run 4bcff63911fc}), which would let one
     * tenant run another's image by guessing at ids, so an image found that way is not present.
     */
    boolean present(String image, ImageReference reference) {
        InspectImageResponse found;
        try {
            found = docker.inspectImageCmd(image).exec();
        } catch (NotFoundException missing) {
            return false;
        }
        boolean named = namedAs(found.getRepoTags(), reference) || namedAs(found.getRepoDigests(), reference);
        if (named) {
            // in use from now on: garbage collection leaves it for the create about to start from it
            usage.used(found.getId());
        }
        return named;
    }

    /** Whether one of these engine names ({@code alpine:latest}, {@code repo@sha256:...}) is the reference. */
    static boolean namedAs(List<String> names, ImageReference reference) {
        if (names == null) {
            return false;
        }
        for (String name : names) {
            try {
                if (reference.isNamedBy(ImageReference.parse(name))) {
                    return true;
                }
            } catch (IllegalArgumentException unnamed) {
                // "<none>:<none>" and the like name nothing
            }
        }
        return false;
    }

    /** Tells credentials apart without holding their secret in the key. */
    private static String credentialKey(RegistryCredential credential) {
        if (credential == null) {
            return "";
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((credential.registry() + "\0"
                    + credential.username() + "\0" + credential.password()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
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
