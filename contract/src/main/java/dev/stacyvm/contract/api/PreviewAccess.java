package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/**
 * {@code GET /sandboxes/{id}/preview/{port}}: the preview's URL and a token that opens it until
 * {@code expires_at}; the router takes the token as header {@code X-Preview-Token} or as query
 * parameter {@code preview_token}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PreviewAccess(String url, String token, Instant expiresAt, boolean publicPreview) {
}
