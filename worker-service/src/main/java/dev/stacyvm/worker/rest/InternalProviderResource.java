package dev.stacyvm.worker.rest;

import dev.stacyvm.contract.internal.ProviderCheck;
import dev.stacyvm.support.auth.InternalApi;
import dev.stacyvm.worker.service.RuntimeService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** This worker's providers, checked when asked; service-token only. */
@InternalApi
@Path("/internal/providers")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class InternalProviderResource {

    @Inject
    RuntimeService runtimes;

    @GET
    public List<ProviderCheck> check() {
        return runtimes.check();
    }
}
