package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One line of a streamed exec ({@code application/x-ndjson}): an output chunk
 * ({@code {"stream":"stdout","data":"..."}}) as the process writes it, and last a line with
 * {@code exit_code}, {@code duration} and {@code timed_out}.
 */
@Schema(description = "One line of a streamed exec (application/x-ndjson): an output chunk with stream and data as the "
        + "process writes it, and last one line with exit_code, duration and timed_out. Blank lines in between are "
        + "keepalives to skip.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExecStreamLine(
        @Schema(description = "Which output a chunk is from: \"stdout\" or \"stderr\"; left out on the last line.",
                examples = "stdout")
        String stream,
        @Schema(description = "The chunk of output; left out on the last line.")
        String data,
        @Schema(description = "The command's exit status, on the last line only; after a timeout 124 or 137.",
                examples = "0")
        Integer exitCode,
        @Schema(description = "How long the command ran, as a Go duration string; on the last line only.",
                examples = "2.01s")
        String duration,
        @Schema(description = "True when the timeout ended the command; on the last line only.")
        Boolean timedOut) {

    /** The media type of a streamed exec's answer: one JSON object a line. */
    public static final String MEDIA_TYPE = "application/x-ndjson";

    /** A line carrying output as the process wrote it. */
    public static ExecStreamLine chunk(String stream, String data) {
        return new ExecStreamLine(stream, data, null, null, null);
    }

    /** The last line of a stream: the command's exit status, how long it ran and whether the timeout ended it. */
    public static ExecStreamLine exit(int exitCode, String duration, boolean timedOut) {
        return new ExecStreamLine(null, null, exitCode, duration, timedOut);
    }
}
