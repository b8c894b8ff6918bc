package dev.stacyvm.support.client;

import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.api.PreviewGeneration;
import dev.stacyvm.contract.api.PruneResult;
import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.contract.api.StatusResponse;
import dev.stacyvm.contract.api.WorkerCredentialView;
import dev.stacyvm.contract.api.WorkerView;
import dev.stacyvm.contract.internal.CapacityView;
import dev.stacyvm.contract.internal.ImagePins;
import dev.stacyvm.contract.internal.OwnerUsage;
import dev.stacyvm.contract.internal.PullProgress;
import dev.stacyvm.contract.internal.SandboxSpec;
import dev.stacyvm.contract.internal.TtlExtension;
import dev.stacyvm.contract.internal.WorkerRegistration;
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

/** The scheduler's internal routes, as the gateway and the workers call them. */
@Path("/internal")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public interface SchedulerApi {

    @POST
    @Path("/sandboxes")
    SandboxView create(SandboxSpec spec);

    /** Live and failed sandboxes: one owner's, one tenant's ({@code tenant:} owners), or all when neither is given. */
    @GET
    @Path("/sandboxes")
    List<SandboxView> list(@QueryParam("owner") String owner, @QueryParam("tenant") String tenant);

    /** A sandbox; a destroyed one is {@code not_found} unless {@code include_destroyed} is true. */
    @GET
    @Path("/sandboxes/{id}")
    SandboxView get(@PathParam("id") String id, @QueryParam("include_destroyed") boolean includeDestroyed);

    @DELETE
    @Path("/sandboxes/{id}")
    StatusResponse destroy(@PathParam("id") String id);

    @POST
    @Path("/sandboxes/{id}/extend")
    SandboxView extend(@PathParam("id") String id, TtlExtension extension);

    /** Replaces a running networked sandbox's egress policy (already bounded by its tenant's). */
    @PUT
    @Path("/sandboxes/{id}/network")
    SandboxView changeNetwork(@PathParam("id") String id, NetworkPolicy policy);

    /** The sandbox's current preview generation, which new preview tokens carry; {@code not_found} once destroyed. */
    @GET
    @Path("/sandboxes/{id}/preview-generation")
    PreviewGeneration previewGeneration(@PathParam("id") String id);

    /**
     * Moves the sandbox's preview generation on and publishes it with its preview route, so the
     * preview-router refuses every token and cookie issued before; answers the new generation.
     */
    @POST
    @Path("/sandboxes/{id}/preview-generation/rotate")
    PreviewGeneration rotatePreviewGeneration(@PathParam("id") String id);

    /** Destroys expired sandboxes now: one owner's, one tenant's, or all when neither is given. */
    @POST
    @Path("/sandboxes/prune")
    PruneResult prune(@QueryParam("owner") String owner, @QueryParam("tenant") String tenant);

    /**
     * Live sandboxes and worker capacity; {@code owner} adds what that owner's live sandboxes hold,
     * and a shape ({@code memory_mb}, {@code vcpus}, {@code pids_limit}, all three or none) whether
     * a worker host offering {@code runtime} (null: runc) could take a sandbox of it now.
     */
    @GET
    @Path("/capacity")
    CapacityView capacity(@QueryParam("owner") String owner, @QueryParam("memory_mb") Integer memoryMb,
            @QueryParam("vcpus") Integer vcpus, @QueryParam("pids_limit") Integer pidsLimit, @QueryParam("disk_mb") Integer diskMb,
            @QueryParam("runtime") String runtime);

    /** What every owner with live sandboxes holds, the one with most first. */
    @GET
    @Path("/usage")
    List<OwnerUsage> usage();

    @GET
    @Path("/usage/{owner}")
    OwnerUsage usage(@PathParam("owner") String owner);

    /** What every owner of the key {@code tenant:key} holds together. */
    @GET
    @Path("/usage/keys/{key}")
    OwnerUsage keyUsage(@PathParam("key") String key);

    /** What every owner of the tenant holds together. */
    @GET
    @Path("/usage/tenants/{tenant}")
    OwnerUsage tenantUsage(@PathParam("tenant") String tenant);

    /** Replaces the images {@code source} pins against the workers' garbage collection. */
    @PUT
    @Path("/image-pins/{source}")
    ImagePins pinImages(@PathParam("source") String source, ImagePins pins);

    /** How far a create on this worker has come (the pull of its image). */
    @POST
    @Path("/workers/{id}/sandboxes/{sandbox}/progress")
    StatusResponse progress(@PathParam("id") String workerId, @PathParam("sandbox") String sandboxId,
            PullProgress progress);

    /** Every pinned image; a worker asks for itself. */
    @GET
    @Path("/image-pins/workers/{id}")
    ImagePins pinnedImages(@PathParam("id") String workerId);

    /** Registers a worker or renews its heartbeat: the same call does both. */
    @POST
    @Path("/workers")
    WorkerView heartbeat(WorkerRegistration registration);

    @GET
    @Path("/workers")
    List<WorkerView> workers();

    /** This worker process ({@code instance}) shuts down cleanly: place nothing new on it. */
    @POST
    @Path("/workers/{id}/stopping")
    WorkerView stopping(@PathParam("id") String id, @QueryParam("instance") String instance);

    @GET
    @Path("/workers/{id}")
    WorkerView worker(@PathParam("id") String id);

    /** Issues a new credential for the worker; the answer is the only one that carries its token. */
    @POST
    @Path("/workers/{id}/credentials")
    WorkerCredentialView issueCredential(@PathParam("id") String id);

    /** The worker's credentials, revoked ones included, without their tokens. */
    @GET
    @Path("/workers/{id}/credentials")
    List<WorkerCredentialView> credentials(@PathParam("id") String id);

    /** Revokes one of the worker's credentials; the scheduler refuses it from then on. */
    @DELETE
    @Path("/workers/{id}/credentials/{credential}")
    WorkerCredentialView revokeCredential(@PathParam("id") String id, @PathParam("credential") String credentialId);
}
