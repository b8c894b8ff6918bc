package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A sandbox's preview generation (scheduler internal routes, and the answer of
 * {@code POST /api/v1/sandboxes/{id}/preview/rotate}): preview tokens carry the generation
 * they were issued in, and the preview-router refuses tokens of an earlier generation than the
 * sandbox's current one, so moving it on revokes every token and cookie issued before.
 */
@Schema(description = "A sandbox's preview generation, as POST /api/v1/sandboxes/{id}/preview/rotate answers it: "
        + "the preview-router refuses every preview token and cookie issued in an earlier generation.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PreviewGeneration(
        @Schema(description = "The sandbox's id.", examples = "sb-1a2b3c4d5e6f")
        String sandboxId,
        @Schema(description = "Its current preview generation; tokens issued from now on carry it.", examples = "2")
        long generation) {
}
