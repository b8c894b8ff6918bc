package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A build as {@code /environments/builds} shows it: StacyVM's shape ({@code status},
 * {@code current_step}, {@code log}, {@code digest_local}, {@code artifacts}) with our {@code name},
 * {@code image} and {@code owner_id}.
 */
@Schema(description = "A build: its status (queued, building, ready, failed, canceled), its log so far and the image it "
        + "makes.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildView(
        @Schema(description = "Its id: bld- and 12 hex digits.", examples = "bld-0f1e2d3c4b5a")
        String id,
        @Schema(description = "The spec built; left out for a Dockerfile build.")
        String specId,
        @Schema(description = "The name of what is built (the spec's, or the Dockerfile build's ?name=).")
        String name,
        String ownerId,
        @Schema(description = "queued, building, ready, failed or canceled.", examples = "ready")
        String status,
        @Schema(description = "What it is doing, or did last.", examples = "RUN pip install requests")
        String currentStep,
        @Schema(description = "The build's output so far (the newest 1 MiB); left out of listings.")
        String log,
        @Schema(description = "The image a create or template names to use it (only the build's worker holds it).",
                examples = "stacyvm.invalid/default/data-tools:bld-0f1e2d3c4b5a")
        String image,
        @Schema(description = "The image's size in bytes, its base's layers included; 0 until ready.")
        long imageSizeBytes,
        @Schema(description = "The image's id (sha256:...), once ready.")
        String digestLocal,
        @Schema(description = "Why it failed or was canceled.")
        String error,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        Instant updatedAt,
        @Schema(description = "StacyVM's artifacts: one, target local.")
        List<Artifact> artifacts) {

    /** StacyVM's per-target artifact; ours is always {@code local}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Artifact(String target, String imageRef, String digest, String status, String error) {
    }
}
