package dev.stacyvm.scheduler.rest;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.api.OwnerIds;
import dev.stacyvm.contract.api.PreviewGeneration;
import dev.stacyvm.contract.api.PruneResult;
import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.contract.api.StatusResponse;
import dev.stacyvm.contract.internal.SandboxSpec;
import dev.stacyvm.contract.internal.TtlExtension;
import dev.stacyvm.scheduler.service.SandboxLifecycle;
import dev.stacyvm.support.auth.InternalApi;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** Sandbox records for the gateway; service-token only. */
@InternalApi
@Path("/internal/sandboxes")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class InternalSandboxResource {

    @Inject
    SandboxLifecycle lifecycle;

    @POST
    public SandboxView create(SandboxSpec spec) {
        if (spec == null || spec.ownerId() == null || spec.image() == null || spec.provider() == null) {
            throw ApiException.badRequest("owner_id, image and provider are required");
        }
        if (OwnerIds.tenantOf(spec.ownerId()) == null) {
            throw ApiException.badRequest("owner_id must be tenant:key or tenant:key:user");
        }
        return lifecycle.create(spec);
    }

    @GET
    public List<SandboxView> list(@QueryParam("owner") String owner, @QueryParam("tenant") String tenant) {
        return lifecycle.list(owner, tenant);
    }

    @GET
    @Path("/{id}")
    public SandboxView get(@PathParam("id") String id, @QueryParam("include_destroyed") boolean includeDestroyed) {
        return lifecycle.get(id, includeDestroyed);
    }

    @POST
    @Path("/{id}/extend")
    public SandboxView extend(@PathParam("id") String id, TtlExtension extension) {
        return lifecycle.extend(id, extension);
    }

    @PUT
    @Path("/{id}/network")
    public SandboxView changeNetwork(@PathParam("id") String id, NetworkPolicy policy) {
        return lifecycle.changeNetwork(id, policy);
    }

    @GET
    @Path("/{id}/preview-generation")
    public PreviewGeneration previewGeneration(@PathParam("id") String id) {
        return lifecycle.previewGeneration(id);
    }

    @POST
    @Path("/{id}/preview-generation/rotate")
    public PreviewGeneration rotatePreviewGeneration(@PathParam("id") String id) {
        return lifecycle.rotatePreviewGeneration(id);
    }

    /** Destroys expired sandboxes now: one owner's, one tenant's, or all. */
    @POST
    @Path("/prune")
    public PruneResult prune(@QueryParam("owner") String owner, @QueryParam("tenant") String tenant) {
        return new PruneResult(lifecycle.pruneExpired(owner, tenant));
    }

    @DELETE
    @Path("/{id}")
    public StatusResponse destroy(@PathParam("id") String id) {
        lifecycle.destroy(id, "requested");
        return StatusResponse.DESTROYED;
    }
}
