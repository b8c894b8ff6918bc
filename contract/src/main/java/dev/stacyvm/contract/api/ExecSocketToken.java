package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The answer of {@code POST /api/v1/sandboxes/{id}/exec/ws/token}. */
@Schema(description = "A single-use token that opens one sandbox's exec WebSocket within 60 s, for browsers.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ExecSocketToken(
        @Schema(description = "The token, for the token query parameter.") String token,
        @Schema(description = "When it stops opening anything (RFC 3339).") Instant expiresAt,
        @Schema(description = "The path to open, token included, relative to the gateway.",
                examples = "/api/v1/sandboxes/sb-3f9a2c1d/exec/ws?token=est_...") String path) {
}
