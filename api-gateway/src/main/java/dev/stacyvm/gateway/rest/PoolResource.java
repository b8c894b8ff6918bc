package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.PoolStatus;
import dev.stacyvm.gateway.auth.Access;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * StacyVM's {@code GET /api/v1/pool/status} (its SDKs' {@code pool_status()} and
 * {@code poolStatus()}): pool mode, where end users share one VM, does not exist here, so it is
 * always off.
 */
@Access(Access.Level.READ)
@Path("/api/v1/pool")
@Tag(name = "operations")
public class PoolResource {

    @GET
    @Path("/status")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "StacyVM's pool mode: always off (every sandbox is its own container)")
    public PoolStatus status() {
        return new PoolStatus(false);
    }
}
