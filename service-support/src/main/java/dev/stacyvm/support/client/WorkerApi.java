package dev.stacyvm.support.client;

import dev.stacyvm.contract.api.ChmodRequest;
import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.contract.api.ExecResult;
import dev.stacyvm.contract.api.FileInfo;
import dev.stacyvm.contract.api.ImageView;
import dev.stacyvm.contract.api.MoveRequest;
import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.api.StatusResponse;
import dev.stacyvm.contract.api.WriteFileRequest;
import dev.stacyvm.contract.internal.DiskUsage;
import dev.stacyvm.contract.internal.ImageCommit;
import dev.stacyvm.contract.internal.ProviderCheck;
import dev.stacyvm.contract.internal.RuntimeHandle;
import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.contract.internal.RuntimeStatus;
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

/** A worker's internal routes, as the scheduler and the gateway call them. */
@Path("/internal")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public interface WorkerApi {

    @POST
    @Path("/sandboxes")
    RuntimeHandle create(RuntimeSpec spec);

    /** Every runtime the worker holds, running or not. */
    @GET
    @Path("/sandboxes")
    List<RuntimeStatus> runtimes();

    /** Removes the sandbox's runtime; answers {@code destroyed} also when there was none. */
    @DELETE
    @Path("/sandboxes/{id}")
    StatusResponse destroy(@PathParam("id") String sandboxId);

    @POST
    @Path("/sandboxes/{id}/exec")
    ExecResult exec(@PathParam("id") String sandboxId, ExecRequest request);

    /** The bytes the sandbox has written (its writable layer). */
    /** Reloads the sandbox's egress rules for this policy; the old rules stay when it fails. */
    @PUT
    @Path("/sandboxes/{id}/network")
    StatusResponse applyNetworkPolicy(@PathParam("id") String sandboxId, NetworkPolicy policy);

    @POST
    @Path("/sandboxes/{id}/commit")
    ImageCommit.Result commit(@PathParam("id") String sandboxId, ImageCommit commit);

    @GET
    @Path("/sandboxes/{id}/image-config")
    ImageCommit.Base imageConfig(@PathParam("id") String sandboxId);

    @GET
    @Path("/sandboxes/{id}/disk")
    DiskUsage disk(@PathParam("id") String sandboxId);

    /** Starts a command detached in the sandbox. */
    @POST
    @Path("/sandboxes/{id}/background")
    dev.stacyvm.contract.api.BackgroundProcess startBackground(@PathParam("id") String sandboxId, ExecRequest request);

    @GET
    @Path("/sandboxes/{id}/background")
    List<dev.stacyvm.contract.api.BackgroundProcess> backgroundProcesses(@PathParam("id") String sandboxId);

    @GET
    @Path("/sandboxes/{id}/background/{process}")
    dev.stacyvm.contract.api.BackgroundProcess backgroundProcess(@PathParam("id") String sandboxId,
                                                                 @PathParam("process") String processId);

    @GET
    @Path("/sandboxes/{id}/background/{process}/output")
    dev.stacyvm.contract.api.BackgroundOutput backgroundOutput(@PathParam("id") String sandboxId,
                                                               @PathParam("process") String processId,
                                                               @QueryParam("since") long since);

    @POST
    @Path("/sandboxes/{id}/background/{process}/signal")
    dev.stacyvm.contract.api.BackgroundProcess signalBackground(@PathParam("id") String sandboxId,
                                                                @PathParam("process") String processId,
                                                                @QueryParam("signal") String signal);

    @DELETE
    @Path("/sandboxes/{id}/background/{process}")
    void killBackground(@PathParam("id") String sandboxId, @PathParam("process") String processId);

    /** The worker's warm pools: one per image it keeps ready containers of. */
    @GET
    @Path("/warm-pool")
    List<dev.stacyvm.contract.internal.WarmPoolStatus> warmPools();

    /** What the running sandbox uses now (its limits left 0 for the gateway to add). */
    @GET
    @Path("/sandboxes/{id}/stats")
    dev.stacyvm.contract.api.SandboxStats stats(@PathParam("id") String sandboxId);

    @GET
    @Path("/sandboxes/{id}/logs")
    List<String> logs(@PathParam("id") String sandboxId, @QueryParam("lines") Integer lines);

    @POST
    @Path("/sandboxes/{id}/files")
    StatusResponse writeFile(@PathParam("id") String sandboxId, WriteFileRequest request);

    @DELETE
    @Path("/sandboxes/{id}/files")
    StatusResponse deleteFile(@PathParam("id") String sandboxId, @QueryParam("path") String path,
                              @QueryParam("recursive") boolean recursive);

    @GET
    @Path("/sandboxes/{id}/files/list")
    List<FileInfo> listFiles(@PathParam("id") String sandboxId, @QueryParam("path") String path);

    @GET
    @Path("/sandboxes/{id}/files/stat")
    FileInfo statFile(@PathParam("id") String sandboxId, @QueryParam("path") String path);

    @POST
    @Path("/sandboxes/{id}/files/move")
    StatusResponse moveFile(@PathParam("id") String sandboxId, MoveRequest request);

    @POST
    @Path("/sandboxes/{id}/files/chmod")
    StatusResponse chmodFile(@PathParam("id") String sandboxId, ChmodRequest request);

    @GET
    @Path("/sandboxes/{id}/files/glob")
    List<String> glob(@PathParam("id") String sandboxId, @QueryParam("pattern") String pattern);

    /** The engine's images on this worker. */
    @GET
    @Path("/images")
    List<ImageView> images();

    /** Removes the image by that name from this worker. */
    @DELETE
    @Path("/images")
    StatusResponse removeImage(@QueryParam("reference") String reference);

    /** Collects unused images now; answers the names removed. */
    @POST
    @Path("/images/prune")
    List<String> pruneImages(@QueryParam("unused_for") String unusedFor, @QueryParam("disk_budget_mb") Long diskBudgetMb);

    /** Checks this worker's providers now. */
    @GET
    @Path("/providers")
    List<ProviderCheck> providers();
}
