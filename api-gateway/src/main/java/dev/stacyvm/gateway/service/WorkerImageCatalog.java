package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.ImagePruneRequest;
import dev.stacyvm.contract.api.ImagePruneResult;
import dev.stacyvm.contract.api.ImageView;
import dev.stacyvm.contract.api.WorkerImages;
import dev.stacyvm.contract.api.WorkerView;
import dev.stacyvm.contract.image.ImageReference;
import dev.stacyvm.contract.time.GoDuration;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The images on every ready worker, asked of each in turn (docs/images.md): list them, remove one
 * everywhere, and collect unused ones now. A worker that does not answer is reported, not hidden.
 */
@ApplicationScoped
public class WorkerImageCatalog {

    static final Duration WORKER_TIMEOUT = Duration.ofSeconds(30);

    @Inject
    InternalServices services;

    /** Each ready worker's images, or why it did not answer. */
    public List<WorkerImages> list() {
        List<WorkerImages> all = new ArrayList<>();
        for (WorkerView worker : readyWorkers()) {
            try {
                all.add(new WorkerImages(worker.id(), services.worker(worker.id(), WORKER_TIMEOUT).images(), null));
            } catch (RuntimeException unreachable) {
                all.add(new WorkerImages(worker.id(), List.of(), unreachable.getMessage()));
            }
        }
        return all;
    }

    /**
     * Removes the image by that name from every worker holding it; nothing is removed when any
     * worker's containers use it.
     *
     * @throws ApiException {@code bad_request} for a malformed reference, {@code not_found} when no
     *                      worker holds it, {@code conflict} naming the workers where it is in use,
     *                      {@code unavailable} when a worker could not say
     */
    public List<String> remove(String reference) {
        ImageReference asked;
        try {
            asked = ImageReference.parse(reference);
        } catch (IllegalArgumentException malformed) {
            throw ApiException.badRequest("image \"" + reference + "\": " + malformed.getMessage());
        }
        List<String> holding = new ArrayList<>();
        List<String> using = new ArrayList<>();
        for (WorkerImages worker : list()) {
            if (worker.error() != null) {
                throw ApiException.unavailable("worker " + worker.workerId() + " did not list its images ("
                        + worker.error() + "); nothing removed");
            }
            for (ImageView image : worker.images()) {
                if (image.references().stream().anyMatch(name -> sameImage(name, asked))) {
                    holding.add(worker.workerId());
                    if (image.inUse() > 0) {
                        using.add(worker.workerId() + " (" + image.inUse() + " container(s))");
                    }
                }
            }
        }
        if (holding.isEmpty()) {
            throw ApiException.notFound("no worker holds image \"" + reference + "\"");
        }
        if (!using.isEmpty()) {
            throw new ApiException(ErrorCode.CONFLICT, "image \"" + reference + "\" is in use on " + String.join(", ", using)
                    + "; destroy its sandboxes first");
        }
        for (String workerId : holding) {
            services.worker(workerId, WORKER_TIMEOUT).removeImage(reference);
        }
        return holding;
    }

    /** Collects unused images on every ready worker now. */
    public List<ImagePruneResult> prune(ImagePruneRequest request) {
        String unusedFor = request == null ? null : request.unusedFor();
        Long budget = request == null ? null : request.diskBudgetMb();
        if (unusedFor != null && !unusedFor.isBlank()) {
            try {
                GoDuration.parse(unusedFor);
            } catch (IllegalArgumentException malformed) {
                throw ApiException.badRequest("unused_for: " + malformed.getMessage());
            }
        }
        if (budget != null && budget < 0) {
            throw ApiException.badRequest("disk_budget_mb must be 0 or more");
        }
        List<ImagePruneResult> results = new ArrayList<>();
        for (WorkerView worker : readyWorkers()) {
            try {
                results.add(new ImagePruneResult(worker.id(),
                        services.worker(worker.id(), WORKER_TIMEOUT).pruneImages(unusedFor, budget), null));
            } catch (RuntimeException failed) {
                Log.warnf("worker %s did not prune its images: %s", worker.id(), failed.getMessage());
                results.add(new ImagePruneResult(worker.id(), List.of(), failed.getMessage()));
            }
        }
        return results;
    }

    private List<WorkerView> readyWorkers() {
        return services.scheduler().workers().stream().filter(worker -> "ready".equals(worker.status())).toList();
    }

    private static boolean sameImage(String name, ImageReference asked) {
        try {
            return asked.isNamedBy(ImageReference.parse(name));
        } catch (IllegalArgumentException unnamed) {
            return false;
        }
    }
}
