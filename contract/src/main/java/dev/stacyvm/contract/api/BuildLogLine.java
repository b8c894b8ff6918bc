package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One line of {@code GET /environments/builds/{id}/logs} ({@code application/x-ndjson}): log text as
 * the build writes it ({@code {"data":"..."}}), and last the build's final {@code status} (with
 * {@code error} when it did not succeed).
 */
@Schema(description = "One line of a build's streamed log (application/x-ndjson): log text in data as the build writes "
        + "it, and last one line with the final status (and error). Blank lines in between are keepalives to skip.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildLogLine(
        @Schema(description = "Log text, as written; left out on the last line.")
        String data,
        @Schema(description = "The build's final status, on the last line only.", examples = "ready")
        String status,
        @Schema(description = "Why it failed or was canceled, on the last line only.")
        String error) {
}
