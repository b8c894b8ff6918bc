package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.ProviderView;
import dev.stacyvm.gateway.auth.Access;
import dev.stacyvm.gateway.service.ProviderCatalog;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;

/** {@code /api/v1/providers}: which sandbox providers exist and whether they work. */
@Path("/api/v1/providers")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "operations")
public class ProviderResource {

    @Inject
    ProviderCatalog providers;

    @GET
    @Access(Access.Level.READ)
    public List<ProviderView> list() {
        return providers.list();
    }

    @GET
    @Access(Access.Level.READ)
    @Path("/{name}")
    public ProviderView get(@PathParam("name") String name) {
        return providers.get(name);
    }

    /**
     * Checks every provider on every ready worker now: {@code {"docker": true}}, a provider healthy
     * when one worker's check passed (StacyVM's shape; {@code GET /providers} has the details).
     */
    @POST
    @Access(Access.Level.WRITE)
    @Path("/test")
    public Map<String, Boolean> test() {
        return providers.test();
    }
}
