package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The body of {@code POST /api/v1/sandboxes/{id}/files/move} (StacyVM's REST API): both paths absolute. */
@Schema(description = "The body of POST /api/v1/sandboxes/{id}/files/move (StacyVM's REST API): moves or renames a "
        + "file or directory, as the sandbox's user.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MoveRequest(
        @Schema(description = "Required: what to move, an absolute path inside the sandbox without a .. component.",
                examples = "/workspace/draft.py")
        String oldPath,
        @Schema(description = "Required: where it goes, an absolute path inside the sandbox without a .. component.",
                examples = "/workspace/main.py")
        String newPath) {
}
