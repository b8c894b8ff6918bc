package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * StacyVM's admission answer: whether a create with this body would be admitted now, and the
 * numbers behind the decision. {@code max_ttl} is a Go duration.
 */
@Schema(description = "What POST /api/v1/sandboxes/admission answers (StacyVM's REST API): whether a create with this "
        + "body would be admitted now, and the numbers behind the decision. It creates nothing.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AdmissionDecision(
        @Schema(description = "True when a create with this body would be admitted now.")
        boolean allowed,
        @Schema(description = "Always false here: a create that is not admitted is refused, never queued.")
        boolean queueable,
        @Schema(description = "Why it would not be admitted (the owner's, key's or tenant's limit, or no worker with "
                + "room); empty when it would.", examples = "every worker is at capacity")
        String reason,
        @Schema(description = "Live sandboxes (creating, running or unhealthy) in all.", examples = "12")
        long activeSandboxes,
        @Schema(description = "How many live sandboxes the ready workers accept in all (the sum of their capacity).",
                examples = "100")
        long maxSandboxes,
        @Schema(description = "The owner's live sandboxes.", examples = "3")
        long activeOwnerSandboxes,
        @Schema(description = "The owner's max_sandboxes.", examples = "50")
        long maxOwnerSandboxes,
        @Schema(description = "The owner's max_ttl, as a Go duration string: a longer ttl is capped to it.",
                examples = "24h0m0s")
        String maxTtl) {
}
