package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.AdmissionDecision;
import dev.stacyvm.contract.api.CreateSandboxRequest;
import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.contract.api.ExecStreamLine;
import dev.stacyvm.contract.api.ExtendRequest;
import dev.stacyvm.contract.api.PruneResult;
import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.contract.api.StatusResponse;
import dev.stacyvm.gateway.service.SandboxGateway;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** StacyVM's sandbox routes: create, list, get, destroy, prune, extend, logs, exec. */
@Path("/api/v1/sandboxes")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class SandboxResource {

    @Inject
    SandboxGateway sandboxes;

    @POST
    public Response create(CreateSandboxRequest request) {
        return Response.status(Response.Status.CREATED).entity(sandboxes.create(request)).build();
    }

    /** Whether a create with this body would be admitted now; creates nothing. */
    @POST
    @Path("/admission")
    public AdmissionDecision admission(CreateSandboxRequest request) {
        return sandboxes.admission(request);
    }

    @GET
    public List<SandboxView> list() {
        return sandboxes.list();
    }

    @GET
    @Path("/{id}")
    public SandboxView get(@PathParam("id") String id) {
        return sandboxes.get(id);
    }

    @DELETE
    @Path("/{id}")
    public StatusResponse destroy(@PathParam("id") String id) {
        sandboxes.destroy(id);
        return StatusResponse.DESTROYED;
    }

    /** StacyVM's prune: destroys expired sandboxes now. */
    @DELETE
    public PruneResult prune() {
        return sandboxes.prune();
    }

    @POST
    @Path("/{id}/extend")
    public SandboxView extend(@PathParam("id") String id, ExtendRequest request) {
        return sandboxes.extend(id, request);
    }

    @GET
    @Path("/{id}/logs")
    public List<String> logs(@PathParam("id") String id, @QueryParam("lines") Integer lines) {
        return sandboxes.logs(id, lines);
    }

    /** Answers the result as JSON, or with {@code "stream": true} the output as NDJSON while it runs. */
    @POST
    @Path("/{id}/exec")
    @Produces({MediaType.APPLICATION_JSON, ExecStreamLine.MEDIA_TYPE})
    public Response exec(@PathParam("id") String id, ExecRequest request) {
        if (request != null && Boolean.TRUE.equals(request.stream())) {
            return Response.ok(sandboxes.execStream(id, request), ExecStreamLine.MEDIA_TYPE)
                    .header("Cache-Control", "no-cache")
                    .build();
        }
        return Response.ok(sandboxes.exec(id, request), MediaType.APPLICATION_JSON).build();
    }
}
