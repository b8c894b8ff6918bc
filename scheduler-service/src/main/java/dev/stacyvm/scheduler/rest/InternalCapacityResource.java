package dev.stacyvm.scheduler.rest;

import dev.stacyvm.contract.api.CapacityView;
import dev.stacyvm.scheduler.service.WorkerPlacement;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** How full the workers are, for the gateway's admission decisions; service-token only. */
@Path("/internal/capacity")
@Produces(MediaType.APPLICATION_JSON)
public class InternalCapacityResource {

    @Inject
    WorkerPlacement placement;

    @GET
    @Transactional
    public CapacityView capacity(@QueryParam("owner") String owner) {
        return placement.capacity(owner);
    }
}
