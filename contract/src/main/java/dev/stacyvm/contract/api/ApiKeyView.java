package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An API key as the admin API shows it (ours); {@code key} is there only in the answer to its creation. The instants
 * are ISO-8601, {@code revoked_at} left out while the key is valid.
 */
@Schema(description = "An API key as the admin API (/api/v1/admin/api-keys) shows it; the secret key only in the "
        + "answer to its creation.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiKeyView(
        @Schema(description = "The key's id, which DELETE /api/v1/admin/api-keys/{id} revokes: key_ and 16 hex "
                + "digits.", examples = "key_0f1e2d3c4b5a6978")
        String id,
        @Schema(description = "The key's name.", examples = "ci-bot")
        String name,
        @Schema(description = "The tenant it belongs to.", examples = "default")
        String tenant,
        @Schema(description = "Its role: user, viewer, operator or admin.", examples = "user")
        String role,
        @Schema(description = "When it was created: an ISO-8601 UTC instant.")
        Instant createdAt,
        @Schema(description = "When it was revoked: an ISO-8601 UTC instant; left out while it is valid.")
        Instant revokedAt,
        @Schema(description = "The secret to send as X-API-Key: svm_ and 64 hex digits. Only in the answer to its "
                + "creation: it is stored as a SHA-256 and never shown again.")
        String key) {
}
