package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * {@code GET /api/v1/whoami}: who the presented credential is, so that a client (the web console)
 * shows only what its role may do. The API still decides every call on its own route.
 *
 * @param tenant    the credential's tenant
 * @param keyName   the API key's name, or the token's subject for an OIDC bearer token
 * @param ownerId   the owner of what this caller creates: {@code tenant:key}, or {@code tenant:key:user} with X-User-ID
 * @param role      {@code user}, {@code viewer}, {@code operator} or {@code admin} (docs/security.md)
 * @param userId    the end user named by X-User-ID; left out without one
 * @param expiresAt when the credential stops working (an expiring key, a token's {@code exp}); left out when it does not
 */
@Schema(description = "GET /api/v1/whoami: who the presented credential is, and its role (user, viewer, operator or admin).")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CallerView(
        @Schema(description = "The credential's tenant.", examples = "default")
        String tenant,
        @Schema(description = "The API key's name, or the bearer token's subject.", examples = "ci-bot")
        String keyName,
        @Schema(description = "The owner of what this caller creates: {tenant}:{key}, or {tenant}:{key}:{user} with "
                + "X-User-ID.", examples = "default:ci-bot")
        String ownerId,
        @Schema(description = "What the credential may do: user (its own sandboxes and templates), viewer (the same, "
                + "read only), operator (its tenant's sandboxes, workers and providers) or admin (everything).",
                examples = "user")
        String role,
        @Schema(description = "The end user X-User-ID named; left out without one.", examples = "alice")
        String userId,
        @Schema(description = "When the credential stops working: an ISO-8601 UTC instant; left out when it does not "
                + "expire.")
        Instant expiresAt) {
}
