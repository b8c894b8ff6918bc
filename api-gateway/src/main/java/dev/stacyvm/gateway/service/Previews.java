package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.PreviewAccess;
import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.contract.preview.PreviewTokens;
import dev.stacyvm.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Opens private previews: a token for one port of one running sandbox the caller may see, valid
 * for {@code preview.token-ttl} and never beyond the sandbox's own expiry. Every grant is audited.
 */
@ApplicationScoped
public class Previews {

    @Inject
    SandboxGateway sandboxes;

    @Inject
    GatewayConfig config;

    @Inject
    AuditTrail audit;

    private volatile PreviewTokens tokens;

    public PreviewAccess access(String id, int port) {
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
            return new PreviewAccess(url, tokens().issue(id, port, expiresAt), expiresAt, sandbox.publicPreview());
        }, granted -> "port " + port + " until " + granted.expiresAt());
    }

    private PreviewTokens tokens() {
        if (tokens == null) {
            tokens = new PreviewTokens(config.preview().tokenSecret());
        }
        return tokens;
    }
}
