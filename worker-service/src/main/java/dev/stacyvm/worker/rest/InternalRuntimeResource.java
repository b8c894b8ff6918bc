package dev.stacyvm.worker.rest;

import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.contract.api.ExecResult;
import dev.stacyvm.contract.api.LogLines;
import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.api.StatusResponse;
import dev.stacyvm.contract.internal.DiskUsage;
import dev.stacyvm.contract.internal.ImageCommit;
import dev.stacyvm.contract.internal.RuntimeHandle;
import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.contract.internal.RuntimeStatus;
import dev.stacyvm.support.auth.InternalApi;
import dev.stacyvm.worker.provider.LogTail;
import dev.stacyvm.worker.service.RuntimeService;
import io.smallrye.common.annotation.Blocking;
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
import jakarta.ws.rs.core.Response;
import java.util.List;

/** Runtime operations for the scheduler and the gateway; service-token only. */
@InternalApi
@Path("/internal/sandboxes")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class InternalRuntimeResource {

    @Inject
    RuntimeService runtimes;

    @POST
    public RuntimeHandle create(RuntimeSpec spec) {
        return runtimes.create(spec);
    }

    /** Every runtime this worker holds, running or not. */
    @GET
    public List<RuntimeStatus> runtimes() {
        return runtimes.runtimes();
    }

    @DELETE
    @Path("/{id}")
    public StatusResponse destroy(@PathParam("id") String sandboxId) {
        runtimes.destroy(sandboxId);
        return StatusResponse.DESTROYED;
    }

    /** Replaces a networked sandbox's egress rules, for {@code PUT /api/v1/sandboxes/{id}/network}. */
    @PUT
    @Path("/{id}/network")
    public StatusResponse applyNetworkPolicy(@PathParam("id") String sandboxId, NetworkPolicy policy) {
        runtimes.applyNetworkPolicy(sandboxId, policy == null ? null : policy.validated());
        return new StatusResponse("applied");
    }

    /** A build's sandbox as a new image, for the gateway's builds (docs/images.md, Builds). */
    @POST
    @Path("/{id}/commit")
    public ImageCommit.Result commit(@PathParam("id") String sandboxId, ImageCommit commit) {
        return runtimes.commit(sandboxId, commit);
    }

    /** A build's sandbox's image configuration, which the gateway's Dockerfile steps start from. */
    @GET
    @Path("/{id}/image-config")
    public ImageCommit.Base imageConfig(@PathParam("id") String sandboxId) {
        return runtimes.imageConfig(sandboxId);
    }

    /** What the sandbox has written (its writable layer's size), for {@code GET /api/v1/sandboxes/{id}}. */
    @GET
    @Path("/{id}/disk")
    public DiskUsage disk(@PathParam("id") String sandboxId) {
        return runtimes.diskUsage(sandboxId);
    }

    /** What the running sandbox uses now, for {@code GET /api/v1/sandboxes/{id}/stats}. */
    @GET
    @Path("/{id}/stats")
    public dev.stacyvm.contract.api.SandboxStats stats(@PathParam("id") String sandboxId) {
        return runtimes.stats(sandboxId);
    }

    /** The log lines as a JSON array of strings, with {@link LogLines#TRUNCATED_HEADER}. */
    @GET
    @Path("/{id}/logs")
    public Response logs(@PathParam("id") String sandboxId, @QueryParam("lines") Integer lines) {
        LogTail.Result tail = runtimes.logs(sandboxId, lines);
        return Response.ok(tail.lines(), MediaType.APPLICATION_JSON_TYPE)
                .header(LogLines.TRUNCATED_HEADER, tail.truncated()).build();
    }

    /** The {@link ExecResult} as JSON, its exit code and timed-out flag also in headers for the gateway. */
    @POST
    @Path("/{id}/exec")
    public Response exec(@PathParam("id") String sandboxId, ExecRequest request) {
        ExecResult result = runtimes.exec(sandboxId, request);
        return Response.ok(result, MediaType.APPLICATION_JSON_TYPE)
                .header(ExecResult.EXIT_CODE_HEADER, result.exitCode())
                .header(ExecResult.TIMED_OUT_HEADER, result.timedOut()).build();
    }

    @GET
    @Path("/{id}/processes")
    public Response processes(@PathParam("id") String sandboxId) {
        return Response.ok(runtimes.processes(sandboxId), MediaType.APPLICATION_JSON_TYPE).build();
    }

    @DELETE
    @Path("/{id}/processes/{pid}")
    public Response signal(@PathParam("id") String sandboxId, @PathParam("pid") int pid, @QueryParam("signal") String signal) {
        runtimes.signal(sandboxId, pid, signal);
        return Response.noContent().build();
    }
}
