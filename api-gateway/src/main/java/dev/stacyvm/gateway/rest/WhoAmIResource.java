package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.ApiError;
import dev.stacyvm.contract.api.CallerView;
import dev.stacyvm.gateway.auth.Access;
import dev.stacyvm.gateway.auth.Caller;
import dev.stacyvm.gateway.auth.CallerContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code GET /api/v1/whoami}: the caller as the gateway authenticated it (ours; StacyVM has none).
 * The web console signs in with it and hides the controls the role may not use; every other route
 * still decides on its own.
 */
@Access(Access.Level.READ)
@Path("/api/v1/whoami")
@Tag(name = "auth")
public class WhoAmIResource {

    @Inject
    CallerContext context;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Who the presented credential is",
            description = "The tenant, key name, owner id and role of the API key or bearer token this request presented, "
                    + "and when it stops working. Any valid credential may ask, a viewer's included.")
    @APIResponse(responseCode = "200", description = "the caller",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CallerView.class)))
    @APIResponse(responseCode = "401", description = "unauthorized: missing or wrong API key or bearer token",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    public CallerView whoami() {
        Caller caller = context.caller();
        return new CallerView(caller.tenant(), caller.keyName(), caller.ownerId(), caller.role().wireName(),
                caller.userId(), context.validUntil());
    }
}
