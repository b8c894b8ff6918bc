package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.ApiKeyRequest;
import dev.stacyvm.contract.api.ApiKeyView;
import dev.stacyvm.contract.api.StatusResponse;
import dev.stacyvm.gateway.auth.Access;
import dev.stacyvm.gateway.service.ApiKeys;
import dev.stacyvm.gateway.service.AuditTrail;
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

/** {@code /api/v1/admin/api-keys}: administrators create, list and revoke API keys (admin routes need the admin role). */
@Access(Access.Level.ADMIN)
@Path("/api/v1/admin/api-keys")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "operations")
public class ApiKeyResource {

    @Inject
    ApiKeys keys;

    @Inject
    dev.stacyvm.gateway.auth.CredentialSessions sessions;

    @Inject
    AuditTrail audit;

    /** The answer carries the key itself; it is never shown again. */
    @POST
    public Response create(ApiKeyRequest request) {
        ApiKeyView created = audit.around("api_key.create", null, null, () -> keys.create(request),
                key -> key.id() + " " + key.tenant() + " " + key.role());
        return Response.status(Response.Status.CREATED).entity(created).build();
    }

    @GET
    public List<ApiKeyView> list() {
        return keys.list();
    }

    @DELETE
    @Path("/{id}")
    public StatusResponse revoke(@PathParam("id") String id) {
        return audit.around("api_key.revoke", null, null, () -> {
            keys.revoke(id);
            // after the commit: its exec sockets and streams end now, not when their clients leave
            sessions.revoked(id);
            return new StatusResponse("revoked");
        }, done -> id);
    }
}
