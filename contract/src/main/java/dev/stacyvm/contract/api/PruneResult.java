package dev.stacyvm.contract.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The answer of {@code DELETE /api/v1/sandboxes} (StacyVM's prune): how many expired sandboxes were destroyed. */
@Schema(description = "What DELETE /api/v1/sandboxes (StacyVM's prune) answers.")
public record PruneResult(
        @Schema(description = "How many of the caller's expired sandboxes were destroyed now.", examples = "2")
        int pruned) {
}
