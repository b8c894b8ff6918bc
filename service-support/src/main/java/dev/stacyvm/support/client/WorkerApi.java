package dev.stacyvm.support.client;

import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.contract.api.ExecResult;
import dev.stacyvm.contract.api.ProviderCheck;
import dev.stacyvm.contract.api.RuntimeHandle;
import dev.stacyvm.contract.api.RuntimeSpec;
import dev.stacyvm.contract.api.StatusResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
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

    /** Removes the sandbox's runtime; answers {@code destroyed} also when there was none. */
    @DELETE
    @Path("/sandboxes/{id}")
    StatusResponse destroy(@PathParam("id") String sandboxId);

    @POST
    @Path("/sandboxes/{id}/exec")
    ExecResult exec(@PathParam("id") String sandboxId, ExecRequest request);

    @GET
    @Path("/sandboxes/{id}/logs")
    List<String> logs(@PathParam("id") String sandboxId, @QueryParam("lines") Integer lines);

    /** Checks this worker's providers now. */
    @GET
    @Path("/providers")
    List<ProviderCheck> providers();
}
