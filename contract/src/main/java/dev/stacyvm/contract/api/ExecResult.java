package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What an exec answers (StacyVM's REST API): {@code duration} is a Go duration string; {@code timed_out} is ours.
 * Each stream holds at most the worker's {@code exec-output-limit-bytes} (16 MiB by default).
 */
@Schema(description = "What POST /api/v1/sandboxes/{id}/exec answers once the command has ended (StacyVM's REST "
        + "API; timed_out is ours).")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ExecResult(
        @Schema(description = "The command's exit status; after a timeout 124 or 137.", examples = "0")
        int exitCode,
        @Schema(description = "What it wrote to standard output, up to the worker's exec-output-limit-bytes (16 MiB by "
                + "default); the rest is dropped and marked.")
        String stdout,
        @Schema(description = "What it wrote to standard error, bounded as stdout is.")
        String stderr,
        @Schema(description = "How long it ran, as a Go duration string.", examples = "84.2ms")
        String duration,
        @Schema(description = "True when the timeout ended it (it and every process it started were killed).")
        boolean timedOut) {

    /**
     * Sent by the worker beside its exec answer: the exit code, so the gateway can pass the JSON
     * body through as it came (a megabyte of output is not parsed and written again) and still
     * audit and count the result.
     */
    public static final String EXIT_CODE_HEADER = "X-StacyVM-Exit-Code";

    /** Beside {@link #EXIT_CODE_HEADER}: {@code true} when the exec's timeout ended the command. */
    public static final String TIMED_OUT_HEADER = "X-StacyVM-Timed-Out";
}
