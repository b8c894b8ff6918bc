package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One image on one worker as {@code GET /images} shows it: its names, digest, size (bytes), when a
 * sandbox last started from it, how many sandboxes run it now, and whether garbage collection
 * keeps it whatever its age ({@code pinned}: the default image, a template's or a warm pool's).
 */
@Schema(description = "One image on one worker: its names, digest, size, last use, the sandboxes running it, and "
        + "whether garbage collection always keeps it.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ImageView(
        @Schema(description = "Its first name, as the engine shows it.", examples = "python:3.12")
        String reference,
        @Schema(description = "Every name it has on the worker (tags, and repository@digest forms).")
        List<String> references,
        @Schema(description = "The registry's manifest digest, or the image id of an image no registry served.",
                examples = "sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1")
        String digest,
        @Schema(description = "The engine's image id.", examples = "sha256:8f5195ae4612...")
        String imageId,
        @Schema(description = "Its size in bytes, layers shared with other images included.", examples = "163000000")
        long sizeBytes,
        @Schema(description = "When a sandbox last started from it (or it was pulled): an ISO-8601 UTC instant; null "
                + "when this worker has not used it since it began keeping track.")
        Instant lastUsedAt,
        @Schema(description = "Sandboxes (warm ones included) whose containers run it now.", examples = "2")
        int inUse,
        @Schema(description = "True when garbage collection never removes it: the default image, a template's, a "
                + "warm pool's, or one the worker itself needs.")
        boolean pinned) {
}
