package dev.stacyvm.contract.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code POST /api/v1/sandboxes/{id}/extend} (StacyVM's REST API): how much longer, as a Go
 * duration. {@code expires_at} moves by it from the later of now and the current expiry, capped at the owner's
 * {@code max_ttl} from now.
 */
@Schema(description = "The body of POST /api/v1/sandboxes/{id}/extend (StacyVM's REST API): how much longer a running "
        + "sandbox lives.")
public record ExtendRequest(
        @Schema(description = "Required: a positive Go duration string. expires_at moves by it from the later of now "
                + "and the current expiry, capped at the owner's max_ttl (24h by default) from now.", examples = "30m")
        String ttl) {
}
