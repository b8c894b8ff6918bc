package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.RegistryConnectionRequest;
import dev.stacyvm.contract.api.RegistryConnectionView;
import dev.stacyvm.contract.api.StatusResponse;
import dev.stacyvm.gateway.auth.Access;
import dev.stacyvm.gateway.auth.CallerContext;
import dev.stacyvm.gateway.service.AuditTrail;
import dev.stacyvm.gateway.service.RegistryConnections;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * {@code /api/v1/environments/registry-connections} (StacyVM's environments API): the caller's
 * tenant's registry credentials, which its sandboxes' pulls use. Keys of the tenant that may write
 * save and delete them; any of its keys lists them. The secret is never answered back.
 */
@Path("/api/v1/environments/registry-connections")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "environments")
public class RegistryConnectionResource {

    static final String SAVE = "registry_connection.save";
    static final String DELETE = "registry_connection.delete";

    @Inject
    RegistryConnections connections;

    @Inject
    CallerContext context;

    @Inject
    AuditTrail audit;

    @POST
    @Access(Access.Level.WRITE)
    @Operation(summary = "Save a registry connection for the caller's tenant",
            description = "201 with the connection, its secret left out. A body with the id of one of the tenant's "
                    + "connections replaces it (200). 409 conflict when the tenant already has one for that registry "
                    + "and username.")
    public Response save(RegistryConnectionRequest request) {
        boolean replacing = request != null && request.id() != null && !request.id().isBlank();
        RegistryConnectionView saved = audit.around(SAVE, null, null,
                () -> connections.save(context.caller(), request),
                view -> view.id() + " " + view.username() + "@" + view.registry());
        return Response.status(replacing ? Response.Status.OK : Response.Status.CREATED).entity(saved).build();
    }

    @GET
    @Access(Access.Level.READ)
    @Operation(summary = "The caller's tenant's registry connections", description = "Never their secrets.")
    public List<RegistryConnectionView> list() {
        return connections.list(context.caller());
    }

    @DELETE
    @Path("/{id}")
    @Access(Access.Level.WRITE)
    @Operation(summary = "Delete one of the caller's tenant's registry connections",
            description = "404 not_found for an id the tenant has no connection by (another tenant's included).")
    public StatusResponse delete(@PathParam("id") String id) {
        return audit.around(DELETE, null, null, () -> {
            connections.delete(context.caller(), id);
            return new StatusResponse("deleted");
        }, done -> id);
    }
}
