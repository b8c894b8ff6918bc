package dev.stacyvm.scheduler.rest;

import dev.stacyvm.contract.api.WorkerRegistration;
import dev.stacyvm.contract.api.WorkerView;
import dev.stacyvm.scheduler.service.WorkerRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** Worker registration and heartbeats; service-token only. */
@Path("/internal/workers")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class InternalWorkerResource {

    @Inject
    WorkerRegistry registry;

    @POST
    public WorkerView heartbeat(WorkerRegistration registration) {
        return registry.heartbeat(registration);
    }

    @GET
    public List<WorkerView> list() {
        return registry.list();
    }

    /** The worker process {@code instance} is shutting down cleanly. */
    @POST
    @Path("/{id}/stopping")
    public WorkerView stopping(@PathParam("id") String id, @QueryParam("instance") String instance) {
        return registry.stopping(id, instance);
    }

    @GET
    @Path("/{id}")
    public WorkerView get(@PathParam("id") String id) {
        return registry.get(id);
    }
}
