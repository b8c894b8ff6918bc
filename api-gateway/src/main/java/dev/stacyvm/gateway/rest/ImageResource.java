package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.ImagePruneRequest;
import dev.stacyvm.contract.api.ImagePruneResult;
import dev.stacyvm.contract.api.StatusResponse;
import dev.stacyvm.contract.api.WorkerImages;
import dev.stacyvm.gateway.auth.Access;
import dev.stacyvm.gateway.service.AuditTrail;
import dev.stacyvm.gateway.service.WorkerImageCatalog;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * {@code /api/v1/images}, administrators only: the images on each worker (their names span every
 * tenant, private registries included, which an operator of one tenant must not see), removing one,
 * and collecting unused ones now.
 */
@Path("/api/v1/images")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "operations")
public class ImageResource {

    static final String DELETE = "image.delete";
    static final String PRUNE = "image.prune";

    @Inject
    WorkerImageCatalog catalog;

    @Inject
    AuditTrail audit;

    @GET
    @Access(Access.Level.ADMIN)
    @Operation(summary = "The images on each ready worker",
            description = "Reference, digest, size, last use, sandboxes running it, and whether garbage collection "
                    + "always keeps it. A worker that did not answer carries an error and no images.")
    public List<WorkerImages> list() {
        return catalog.list();
    }

    @DELETE
    @Path("/{reference: .+}")
    @Access(Access.Level.ADMIN)
    @Operation(summary = "Remove an image from every worker",
            description = "As docker rmi: the name goes, and the image with it when no other name holds it. 409 "
                    + "conflict while a container on any worker uses it (nothing is removed); 404 when no worker "
                    + "holds it.")
    public StatusResponse delete(@PathParam("reference") String reference) {
        return audit.around(DELETE, null, null, () -> {
            catalog.remove(reference);
            return new StatusResponse("deleted");
        }, done -> reference);
    }

    @POST
    @Path("/prune")
    @Access(Access.Level.ADMIN)
    @Operation(summary = "Collect unused images on every worker now",
            description = "Each worker removes images unused for unused_for, least recently used first, while its "
                    + "images take more than disk_budget_mb; never one a container runs, the default image, a "
                    + "template's or a warm pool's.")
    public List<ImagePruneResult> prune(ImagePruneRequest request) {
        return audit.around(PRUNE, null, null, () -> catalog.prune(request),
                results -> results.stream().mapToInt(result -> result.removed().size()).sum() + " image name(s) removed");
    }
}
