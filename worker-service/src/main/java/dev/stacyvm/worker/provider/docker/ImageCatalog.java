package dev.stacyvm.worker.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Image;
import dev.stacyvm.contract.api.ImageView;
import dev.stacyvm.contract.api.SandboxDefaults;
import dev.stacyvm.contract.image.ImageReference;
import dev.stacyvm.support.client.InternalClients;
import dev.stacyvm.support.client.SchedulerApi;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.ImageInUseException;
import dev.stacyvm.worker.error.ImageNotFoundException;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.error.WorkerUnavailableException;
import dev.stacyvm.worker.service.WorkerIdentity;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The images on this worker's engine (docs/images.md, "Images on workers"): what each is called,
 * its size, when a sandbox last started from it, how many containers run it, and whether it is
 * pinned; removal on an administrator's word; and garbage collection. Garbage collection removes
 * images unused for {@code unused-for}, least recently used first, only while the images together
 * take more than {@code disk-budget-mb}, and never one a container runs, the default image, a warm
 * pool's or the netctl helper's, nor one the scheduler's pins name (templates' images): without the
 * pins it removes nothing.
 */
@ApplicationScoped
public class ImageCatalog {

    private static final long MIB = 1024L * 1024L;

    @Inject
    DockerClient docker;

    @Inject
    WorkerConfig config;

    @Inject
    ImageUsage usage;

    @Inject
    InternalClients clients;

    @Inject
    WorkerIdentity identity;

    @Inject
    MeterRegistry metrics;

    /** The engine's images, largest first, with the pins the scheduler holds (local ones if it cannot say). */
    public List<ImageView> list() {
        Set<ImageReference> pinned = localPins();
        try {
            pinned.addAll(schedulerPins());
        } catch (RuntimeException unreachable) {
            Log.debugf("image pins unknown (%s); listing with the worker's own", unreachable.toString());
        }
        Map<String, Integer> inUse = containersByImage();
        return docker.listImagesCmd().exec().stream()
                .map(image -> view(image, inUse.getOrDefault(image.getId(), 0), pinned))
                .sorted(Comparator.comparingLong(ImageView::sizeBytes).reversed().thenComparing(ImageView::imageId))
                .toList();
    }

    /**
     * Removes the image by that name, as {@code docker rmi} does: the name goes; the image with it
     * when no other name holds it.
     *
     * @throws InvalidRequestException for a malformed reference
     * @throws ImageNotFoundException when the engine holds no image by that name
     * @throws ImageInUseException when a container (a sandbox's, a warm one) was made from it
     */
    public void remove(String reference) {
        ImageReference asked;
        try {
            asked = ImageReference.parse(reference);
        } catch (IllegalArgumentException malformed) {
            throw new InvalidRequestException("image \"" + reference + "\": " + malformed.getMessage());
        }
        Image image = docker.listImagesCmd().exec().stream().filter(candidate -> names(candidate).stream()
                .anyMatch(name -> ImagePulls.namedAs(List.of(name), asked))).findFirst()
                .orElseThrow(() -> new ImageNotFoundException("no image \"" + reference + "\" on this worker"));
        int containers = containersByImage().getOrDefault(image.getId(), 0);
        if (containers > 0) {
            throw new ImageInUseException("image \"" + reference + "\" is in use by " + containers + " container(s) on "
                    + "this worker; destroy its sandboxes first");
        }
        String name = names(image).stream().filter(candidate -> ImagePulls.namedAs(List.of(candidate), asked))
                .findFirst().orElseThrow();
        try {
            docker.removeImageCmd(name).exec();
        } catch (NotFoundException gone) {
            throw new ImageNotFoundException("no image \"" + reference + "\" on this worker");
        } catch (ConflictException held) {
            throw new ImageInUseException("the engine keeps image \"" + reference + "\": "
                    + HardenedContainers.firstLine(held.getMessage()));
        }
        Log.infof("removed image %s (%d MiB) on request", reference, sizeOf(image) / MIB);
    }

    @Scheduled(every = "${stacyvm.worker.images.gc-interval:5m}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void collectOnSchedule() {
        if (config.images().diskBudgetMb() <= 0) {
            return;
        }
        try {
            collect(config.images().unusedFor(), config.images().diskBudgetMb());
        } catch (RuntimeException failed) {
            Log.warnf("image garbage collection skipped: %s", failed.getMessage());
        }
    }

    /**
     * Removes images unused for {@code unusedFor}, least recently used first, until the images
     * together take at most {@code budgetMb} MiB; answers the names removed.
     *
     * @throws WorkerUnavailableException when the scheduler cannot say which images are pinned
     */
    public synchronized List<String> collect(Duration unusedFor, long budgetMb) {
        Set<ImageReference> pinned = localPins();
        try {
            pinned.addAll(schedulerPins());
        } catch (RuntimeException unreachable) {
            // a template's image removed would have to be pulled again on its next spawn; wait instead
            throw new WorkerUnavailableException("the scheduler did not say which images templates pin ("
                    + unreachable.getMessage() + "); nothing removed");
        }
        List<Image> images = docker.listImagesCmd().withShowAll(false).exec();
        usage.retainOnly(images.stream().map(Image::getId).collect(Collectors.toSet()));
        Map<String, Integer> inUse = containersByImage();
        long total = images.stream().mapToLong(ImageCatalog::sizeOf).sum();
        Instant cutoff = Instant.now().minus(unusedFor);
        List<Image> candidates = new ArrayList<>();
        for (Image image : images) {
            Instant lastUsed = usage.lastUsed(image.getId());
            if (lastUsed == null) {
                // first seen now: it gets its whole unused-for from here
                usage.used(image.getId());
                lastUsed = Instant.now();
            }
            if (!inUse.containsKey(image.getId()) && !isPinned(names(image), pinned) && !lastUsed.isAfter(cutoff)) {
                candidates.add(image);
            }
        }
        candidates.sort(Comparator.comparing((Image image) -> usage.lastUsed(image.getId())));
        List<String> removed = new ArrayList<>();
        for (Image image : candidates) {
            if (total <= budgetMb * MIB) {
                break;
            }
            List<String> names = names(image);
            if (!removeEveryName(image, names)) {
                continue; // a container was made from it meanwhile: the engine keeps it
            }
            total -= sizeOf(image);
            removed.addAll(names.isEmpty() ? List.of(image.getId()) : names);
            metrics.counter("stacyvm.image.gc.removed").increment();
            Log.infof("image garbage collection removed %s (%d MiB, last used %s)",
                    names.isEmpty() ? image.getId() : String.join(", ", names), sizeOf(image) / MIB,
                    usage.lastUsed(image.getId()));
        }
        return removed;
    }

    /**
     * Removes the image by each of its names in turn, never by force: the engine refuses while a
     * container (even one created but not started) holds it. Answers whether it is gone.
     */
    private boolean removeEveryName(Image image, List<String> names) {
        for (String name : names.isEmpty() ? List.of(image.getId()) : names) {
            try {
                docker.removeImageCmd(name).exec();
            } catch (NotFoundException gone) {
                // that name went with an earlier one
            } catch (ConflictException held) {
                return false;
            }
        }
        return true;
    }

    /** The images the worker itself keeps: the default image, its warm pools', the netctl helper's. */
    private Set<ImageReference> localPins() {
        Set<ImageReference> pinned = new HashSet<>();
        Stream.concat(Stream.of(SandboxDefaults.IMAGE, config.netctlImage()), config.warmPool().images().stream())
                .forEach(image -> parseInto(image, pinned));
        return pinned;
    }

    private List<ImageReference> schedulerPins() {
        Set<ImageReference> pinned = new HashSet<>();
        clients.forEndpoint(SchedulerApi.class, config.schedulerUrl(), Duration.ofSeconds(10))
                .pinnedImages(identity.id()).images().forEach(image -> parseInto(image, pinned));
        return List.copyOf(pinned);
    }

    private static void parseInto(String image, Set<ImageReference> into) {
        try {
            into.add(ImageReference.parse(image.trim()));
        } catch (IllegalArgumentException malformed) {
            Log.debugf("ignoring pinned image %s: %s", image, malformed.getMessage());
        }
    }

    private static boolean isPinned(List<String> names, Set<ImageReference> pinned) {
        return pinned.stream().anyMatch(reference -> ImagePulls.namedAs(names, reference));
    }

    /** Containers of every kind (a stopped one holds its image too), counted by image id. */
    private Map<String, Integer> containersByImage() {
        Map<String, Integer> counts = new HashMap<>();
        for (Container container : docker.listContainersCmd().withShowAll(true).exec()) {
            counts.merge(container.getImageId(), 1, Integer::sum);
        }
        return counts;
    }

    private ImageView view(Image image, int containers, Set<ImageReference> pinned) {
        List<String> names = names(image);
        String digest = image.getRepoDigests() == null ? image.getId() : Arrays.stream(image.getRepoDigests())
                .filter(name -> name.contains("@")).map(name -> name.substring(name.indexOf('@') + 1)).findFirst()
                .orElse(image.getId());
        return new ImageView(names.isEmpty() ? image.getId() : names.get(0), names, digest, image.getId(),
                sizeOf(image), usage.lastUsed(image.getId()), containers, isPinned(names, pinned));
    }

    /** Its tags, then its repository@digest names, without the engine's {@code <none>} placeholders. */
    private static List<String> names(Image image) {
        return Stream.concat(Stream.ofNullable(image.getRepoTags()).flatMap(Arrays::stream),
                        Stream.ofNullable(image.getRepoDigests()).flatMap(Arrays::stream))
                .filter(name -> !name.startsWith("<none>")).toList();
    }

    private static long sizeOf(Image image) {
        return image.getSize() == null ? 0 : image.getSize();
    }
}
