package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * {@code GET /sandboxes/{id}/preview/{port}}: the preview's URL and a token that opens it until
 * {@code expires_at}; the router takes the token as header {@code X-Preview-Token} or as query
 * parameter {@code preview_token}. {@code expires_at} is an ISO-8601 instant in whole seconds.
 */
@Schema(description = "What GET /api/v1/sandboxes/{id}/preview/{port} answers: the preview's URL and a token that "
        + "opens it until expires_at.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PreviewAccess(
        @Schema(description = "The preview's URL, as in the sandbox's preview_urls.",
                examples = "http://3000-sb-1a2b3c4d5e6f.localhost:7480")
        String url,
        @Schema(description = "A token that opens the preview: send it as header X-Preview-Token, or as query "
                + "parameter preview_token, which the router turns into a cookie for that preview.")
        String token,
        @Schema(description = "When the token stops working: an ISO-8601 UTC instant in whole seconds, 15 minutes from "
                + "now by default and never past the sandbox's expiry. POST /api/v1/sandboxes/{id}/preview/rotate "
                + "revokes it sooner.", examples = "2026-11-23T14:30:01Z")
        Instant expiresAt,
        @Schema(description = "True when the sandbox's previews are open to anyone with the URL, so no token is "
                + "needed.")
        boolean publicPreview) {
}
