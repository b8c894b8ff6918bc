package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/**
 * A worker's own credential, bound to one worker id. {@code token} is the secret itself: present
 * only in the answer that issued it (it is stored as a SHA-256 and never shown again).
 * {@code revoked_at} is null while the credential is valid.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkerCredentialView(
        String id,
        String workerId,
        Instant createdAt,
        Instant revokedAt,
        String token) {
}
