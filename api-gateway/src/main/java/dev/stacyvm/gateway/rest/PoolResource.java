package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.PoolStatus;
import dev.stacyvm.gateway.auth.Access;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * StacyVM's {@code GET /api/v1/pool/status} (its SDKs' {@code pool_status()} and
 * {@code poolStatus()}): pool mode, where end users share one VM, does not exist here, so it is
 * always off; the workers' warm pools are reported beside it ({@link dev.stacyvm.gateway.service.WarmPools}).
 */
@Access(Access.Level.READ)
@Path("/api/v1/pool")
@Tag(name = "operations")
public class PoolResource {

    @Inject
    dev.stacyvm.gateway.service.WarmPools warmPools;

    @GET
    @Path("/status")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "StacyVM's pool mode (always off: every sandbox is its own container) and the workers' warm pools",
            description = "enabled is always false. warm_ready and warm_target total the warm containers the reachable workers "
                    + "keep; operators and administrators also get each worker's pools (image, shape, target, ready, hits as "
                    + "claimed, misses as missed), a worker that did not answer within 3 s as reachable: false.")
    public PoolStatus status() {
        return warmPools.status();
    }
}
