package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A file or directory as {@code files/list} and {@code files/stat} show it (StacyVM's REST API); {@code size} is in
 * bytes, {@code mod_time} an ISO-8601 instant in whole seconds, {@code mode} octal, e.g. {@code "0644"}.
 */
@Schema(description = "A file or directory as GET /api/v1/sandboxes/{id}/files/list and /files/stat show it (StacyVM's "
        + "REST API).")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record FileInfo(
        @Schema(description = "Its name, the last component of path.", examples = "main.py")
        String name,
        @Schema(description = "Its absolute path inside the sandbox.", examples = "/workspace/main.py")
        String path,
        @Schema(description = "Its size in bytes.", examples = "14")
        long size,
        @Schema(description = "True for a directory.")
        boolean isDir,
        @Schema(description = "When it was last modified: an ISO-8601 UTC instant, in whole seconds.",
                examples = "2026-11-23T14:15:02Z")
        Instant modTime,
        @Schema(description = "Its permission bits in octal, four digits.", examples = "0644")
        String mode) {
}
