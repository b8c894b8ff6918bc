package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One line of a streamed exec ({@code application/x-ndjson}): an output chunk
 * ({@code {"stream":"stdout","data":"..."}}) as the process writes it, and last a line with
 * {@code exit_code}, {@code duration} and {@code timed_out}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExecStreamLine(String stream, String data, Integer exitCode, String duration, Boolean timedOut) {

    public static final String MEDIA_TYPE = "application/x-ndjson";

    public static ExecStreamLine chunk(String stream, String data) {
        return new ExecStreamLine(stream, data, null, null, null);
    }

    public static ExecStreamLine exit(int exitCode, String duration, boolean timedOut) {
        return new ExecStreamLine(null, null, exitCode, duration, timedOut);
    }
}
