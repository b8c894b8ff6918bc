package dev.stacyvm.worker.rest;

import dev.stacyvm.contract.api.ImageView;
import dev.stacyvm.contract.api.StatusResponse;
import dev.stacyvm.contract.time.GoDuration;
import dev.stacyvm.support.auth.InternalApi;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.provider.docker.ImageCatalog;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.List;

/** The worker's images: list, remove one, collect unused ones now; service-token only. */
@InternalApi
@Path("/internal/images")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class InternalImageResource {

    @Inject
    ImageCatalog catalog;

    @Inject
    WorkerConfig config;

    @GET
    public List<ImageView> list() {
        return catalog.list();
    }

    @DELETE
    public StatusResponse remove(@QueryParam("reference") String reference) {
        catalog.remove(reference);
        return new StatusResponse("deleted");
    }

    /**
     * Collects now: images unused for {@code unused_for} (a Go duration; default the worker's) while
     * the images take more than {@code disk_budget_mb} (default the worker's); answers what went.
     */
    @POST
    @Path("/prune")
    public List<String> prune(@QueryParam("unused_for") String unusedFor, @QueryParam("disk_budget_mb") Long budgetMb) {
        Duration age = config.images().unusedFor();
        if (unusedFor != null && !unusedFor.isBlank()) {
            try {
                age = GoDuration.parse(unusedFor);
            } catch (IllegalArgumentException malformed) {
                throw new InvalidRequestException("unused_for must be a Go duration such as 1h, not \"" + unusedFor
                        + "\"");
            }
        }
        if (budgetMb != null && budgetMb < 0) {
            throw new InvalidRequestException("disk_budget_mb must be 0 or more");
        }
        return catalog.collect(age, budgetMb == null ? config.images().diskBudgetMb() : budgetMb);
    }
}
