package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A worker's own credential, bound to one worker id. {@code token} is the secret itself: present
 * only in the answer that issued it (it is stored as a SHA-256 and never shown again).
 * {@code revoked_at} is null while the credential is valid.
 */
@Schema(description = "A worker's own credential, bound to one worker id, as /api/v1/workers/{id}/credentials shows "
        + "it; the secret token only in the answer that issued it.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkerCredentialView(
        @Schema(description = "The credential's id, which DELETE /api/v1/workers/{id}/credentials/{credential} "
                + "revokes: wcr_ and hex digits.")
        String id,
        @Schema(description = "The one worker it authenticates.", examples = "worker-host1-7425")
        String workerId,
        @Schema(description = "When it was issued: an ISO-8601 UTC instant.")
        Instant createdAt,
        @Schema(description = "When it was revoked: an ISO-8601 UTC instant; left out while it is valid.")
        Instant revokedAt,
        @Schema(description = "The secret the worker sends as X-Worker-Credential: swc_ and 256 random bits. Only in "
                + "the answer that issued it: it is stored as a SHA-256 and never shown again.")
        String token) {
}
