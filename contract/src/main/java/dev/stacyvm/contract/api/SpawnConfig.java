package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** {@code GET /environments/builds/{id}/spawn-config} (StacyVM's): what a create names to run the build's image. */
@Schema(description = "What a create names to run a build's image: use image exactly as given.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SpawnConfig(
        String buildId,
        String buildStatus,
        @Schema(description = "Whether the image is there to spawn.")
        boolean ready,
        @Schema(description = "The provider to create with.", examples = "docker")
        String provider,
        @Schema(description = "The image reference for the create's image field.")
        String image,
        @Schema(description = "Always local.", examples = "local")
        String target,
        String digest,
        String note) {
}
