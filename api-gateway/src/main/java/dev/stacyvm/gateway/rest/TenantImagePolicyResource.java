package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.StatusResponse;
import dev.stacyvm.contract.image.ImagePolicy;
import dev.stacyvm.gateway.auth.Access;
import dev.stacyvm.gateway.service.AuditTrail;
import dev.stacyvm.gateway.service.ImagePolicies;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * A tenant's image policy (administrators only): the allow and deny patterns of the images its
 * sandboxes and templates may name ({@link ImagePolicy}), each change audited.
 */
@Access(Access.Level.ADMIN)
@Path("/api/v1/tenants/{tenant}/image-policy")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "operations")
public class TenantImagePolicyResource {

    static final String SET = "image_policy.set";
    static final String DELETE = "image_policy.delete";

    @Inject
    ImagePolicies policies;

    @Inject
    AuditTrail audit;

    @GET
    @Operation(summary = "The tenant's image policy", description = "404 not_found when it has none.")
    public ImagePolicy get(@PathParam("tenant") String tenant) {
        return policies.get(tenant);
    }

    @PUT
    @Operation(summary = "Set the tenant's image policy",
            description = "Replaces it whole. Creates, spawns and template saves naming an image it refuses answer 403 "
                    + "image_not_allowed with the pattern that refused it; running sandboxes keep their images.")
    public ImagePolicy put(@PathParam("tenant") String tenant, ImagePolicy policy) {
        return audit.around(SET, null, null, () -> policies.put(tenant, policy),
                stored -> "tenant " + tenant + " " + stored.summary());
    }

    @DELETE
    @Operation(summary = "Remove the tenant's image policy")
    public StatusResponse delete(@PathParam("tenant") String tenant) {
        return audit.around(DELETE, null, null, () -> {
            policies.delete(tenant);
            return new StatusResponse("deleted");
        }, done -> "tenant " + tenant);
    }
}
