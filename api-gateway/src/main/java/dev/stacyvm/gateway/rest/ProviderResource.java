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

    @Inject
    dev.stacyvm.gateway.auth.CallerContext context;

    /** Which workers hold which certification is for operators and admins, as GET /workers is. */
    private ProviderView forCaller(ProviderView view) {
        dev.stacyvm.gateway.auth.Role role = context.caller().role();
        return role == dev.stacyvm.gateway.auth.Role.ADMIN || role == dev.stacyvm.gateway.auth.Role.OPERATOR
                ? view : ProviderCatalog.withoutWorkers(view);
    }

    @GET
    @Access(Access.Level.READ)
    public List<ProviderView> list() {
        return providers.list().stream().map(this::forCaller).toList();
    }

    @GET
    @Access(Access.Level.READ)
    @Path("/{name}")
    public ProviderView get(@PathParam("name") String name) {
        return forCaller(providers.get(name));
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
