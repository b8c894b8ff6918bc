package dev.stacyvm.worker.rest;

import dev.stacyvm.contract.internal.WarmPoolStatus;
import dev.stacyvm.support.auth.InternalApi;
import dev.stacyvm.worker.provider.docker.WarmPool;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The worker's warm pools and their counts, for operators and the benchmark; service-token only. */
@InternalApi
@Path("/internal/warm-pool")
@Produces(MediaType.APPLICATION_JSON)
public class InternalWarmPoolResource {

    @Inject
    WarmPool warmPool;

    @GET
    public List<WarmPoolStatus> pools() {
        return warmPool.status();
    }
}
