package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.ExecSocketToken;
import dev.stacyvm.gateway.auth.Access;
import dev.stacyvm.gateway.auth.CallerContext;
import dev.stacyvm.gateway.service.SandboxGateway;
import dev.stacyvm.gateway.terminal.ExecSocketTokens;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code POST /api/v1/sandboxes/{id}/exec/ws/token}: a short-lived token that opens the sandbox's
 * exec WebSocket ({@code GET /api/v1/sandboxes/{id}/exec/ws?token=...}) as the caller, for
 * browsers, which cannot set headers on a WebSocket ({@link ExecSocketTokens}).
 */
@Path("/api/v1/sandboxes/{id}/exec/ws/token")
@Blocking
@Tag(name = "sandboxes")
public class ExecSocketTokenResource {

    @Inject
    ExecSocketTokens tokens;

    @Inject
    SandboxGateway sandboxes;

    @Inject
    CallerContext context;

    @POST
    @Access(Access.Level.WRITE)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Make a token that opens the exec WebSocket",
            description = "For browsers, which cannot set headers on a WebSocket: a token that opens GET "
                    + "/api/v1/sandboxes/{id}/exec/ws?token=... once, within 60 s, as the caller, for this sandbox only. "
                    + "The key that made it must still be live then. The sandbox must be the caller's to see and running "
                    + "(404, 409); a viewer key may not (403).")
    public ExecSocketToken mint(@PathParam("id") String id) {
        sandboxes.running(id);
        ExecSocketTokens.Grant grant = tokens.mint(context.caller(), context.apiKeyId(), context.validUntil(), id);
        return new ExecSocketToken(grant.token(), grant.expiresAt(), "/api/v1/sandboxes/" + id + "/exec/ws?token=" + grant.token());
    }
}
