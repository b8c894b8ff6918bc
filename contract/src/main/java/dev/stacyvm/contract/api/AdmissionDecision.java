package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * StacyVM's admission answer: whether a create with this body would be admitted now, and the
 * numbers behind the decision. {@code max_ttl} is a Go duration.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AdmissionDecision(
        boolean allowed,
        boolean queueable,
        String reason,
        long activeSandboxes,
        long maxSandboxes,
        long activeOwnerSandboxes,
        long maxOwnerSandboxes,
        String maxTtl) {
}
