package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.WorkerView;
import dev.stacyvm.gateway.service.InternalServices;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * {@code /api/v1/workers}: the worker hosts, for operators and administrators only (they reveal
 * internal addresses); {@code ApiKeyFilter} enforces that.
 */
@Path("/api/v1/workers")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "operations")
public class WorkerResource {

    @Inject
    InternalServices services;

    @GET
    public List<WorkerView> list() {
        return services.scheduler().workers();
    }

    @GET
    @Path("/{id}")
    public WorkerView get(@PathParam("id") String id) {
        return services.scheduler().worker(id);
    }
}
