package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.PreviewAccess;
import dev.stacyvm.contract.api.PreviewGeneration;
import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.contract.event.AuditEvent;
import dev.stacyvm.contract.preview.PreviewTokens;
import dev.stacyvm.gateway.auth.CallerContext;
import dev.stacyvm.gateway.auth.Role;
import dev.stacyvm.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Opens private previews: a token for one port of one running sandbox the caller may see, valid
 * for {@code preview.token-ttl} (15 minutes by default) and never beyond the sandbox's own expiry,
 * and revokes them all by rotating the sandbox's preview generation. A token lets its holder send
 * any request to the app, so only callers that may change the sandbox get one: a viewer key is
 * refused ({@code forbidden}). Every grant, refusal and rotation is audited.
 */
@ApplicationScoped
public class Previews {

    @Inject
    SandboxGateway sandboxes;

    @Inject
    GatewayConfig config;

    @Inject
    AuditTrail audit;

    @Inject
    InternalServices services;

    @Inject
    CallerContext context;

    private volatile PreviewTokens tokens;

    /**
     * A token for port {@code port} of sandbox {@code id}, with the preview's URL and the token's
     * expiry. Errors: {@code forbidden} for a viewer key, {@code not_found} for a sandbox the caller
     * may not see or a port that is not a preview port, {@code conflict} when it is not running.
     */
    public PreviewAccess access(String id, int port) {
        refuseViewers("preview.grant", id);
        SandboxView sandbox = sandboxes.running(id);
        String url = sandbox.previewUrls() == null ? null : sandbox.previewUrls().get(String.valueOf(port));
        if (url == null) {
            throw ApiException.notFound("port " + port + " is not a preview port of sandbox " + id + "; its ports: "
                    + (sandbox.previewUrls() == null ? "none" : sandbox.previewUrls().keySet()));
        }
        return audit.around("preview.grant", sandbox, sandbox.ownerId(), () -> {
            Instant expiresAt = Instant.now().plus(config.preview().tokenTtl()).truncatedTo(ChronoUnit.SECONDS);
            if (sandbox.expiresAt() != null && sandbox.expiresAt().isBefore(expiresAt)) {
                expiresAt = sandbox.expiresAt().truncatedTo(ChronoUnit.SECONDS);
            }
            long generation = services.scheduler().previewGeneration(id).generation();
            return new PreviewAccess(url, tokens().issue(id, port, generation, expiresAt), expiresAt, sandbox.publicPreview());
        }, granted -> "port " + port + " until " + granted.expiresAt());
    }

    /**
     * Revokes every preview token (and the cookies holding them) issued so far for sandbox
     * {@code id}: its preview generation moves on, and the preview-router refuses tokens of an
     * earlier one as soon as it reads the sandbox's new route (normally well within a second).
     * Errors as for {@link #access}, except that any live sandbox may be rotated.
     */
    public PreviewGeneration rotate(String id) {
        refuseViewers("preview.rotate", id);
        SandboxView sandbox = sandboxes.get(id);
        return audit.around("preview.rotate", sandbox, sandbox.ownerId(),
                () -> services.scheduler().rotatePreviewGeneration(id),
                rotated -> "preview generation " + rotated.generation() + ": earlier tokens revoked");
    }

    /** A preview token lets its holder change what the app does, so read-only keys get none. */
    private void refuseViewers(String action, String id) {
        if (context.caller().role() == Role.VIEWER) {
            String reason = "viewer keys may not open or rotate previews (a preview token sends any request to the app)";
            audit.record(action, id, null, null, AuditEvent.DENIED, reason);
            throw new ApiException(ErrorCode.FORBIDDEN, reason);
        }
    }

    private PreviewTokens tokens() {
        if (tokens == null) {
            tokens = new PreviewTokens(config.preview().tokenSecret());
        }
        return tokens;
    }
}
