package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The first message a client sends on {@code GET /api/v1/sandboxes/{id}/exec/ws}: StacyVM's exec
 * request ({@link ExecRequest}'s fields, {@code type: "start"} allowed and ignored, as its docs
 * write it), plus {@code pty} with {@code cols} and {@code rows} for a terminal and
 * {@code encoding: "base64"} for binary-safe frames. See {@link ExecSocketFrame} for the rest of
 * the conversation.
 */
@Schema(description = "The first message on GET /api/v1/sandboxes/{id}/exec/ws: an exec request (StacyVM's fields), "
        + "optionally on a terminal.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExecSocketRequest(
        @Schema(description = "\"start\" or left out.") String type,
        @Schema(description = "Required: as in ExecRequest.", examples = "bash") String command,
        @Schema(description = "As in ExecRequest.") List<String> args,
        @Schema(description = "As in ExecRequest: \"argv\" or \"shell\" (default).") String mode,
        @Schema(description = "As in ExecRequest; TERM defaults to xterm-256color on a terminal.") Map<String, String> env,
        @Schema(description = "As in ExecRequest.") String workdir,
        @Schema(description = "How long the session may run, as a Go duration string. Default 60s, and on a "
                + "terminal the owner's max_exec_timeout (1h by default).", examples = "30m") String timeout,
        @Schema(description = "True for a terminal (a PTY): one output stream, stdin as typed, resize and job-control "
                + "signals. Default false.") Boolean pty,
        @Schema(description = "The terminal's columns, 1 to 1000; default 80.", examples = "120") Integer cols,
        @Schema(description = "The terminal's rows, 1 to 1000; default 24.", examples = "40") Integer rows,
        @Schema(description = "\"base64\" to carry every data field as base64 (binary-safe both ways); default "
                + "text (UTF-8, a split character is held until it is whole).", examples = "base64") String encoding) {

    /** The {@code encoding} that carries data as base64. */
    public static final String BASE64 = "base64";

    /** Whether the session runs on a terminal. */
    public boolean terminal() {
        return Boolean.TRUE.equals(pty);
    }

    /** Whether data fields are base64. */
    public boolean base64() {
        return BASE64.equals(encoding);
    }

    /** The exec this asks for, with {@code timeout} in place of the request's (already bounded by the caller). */
    public ExecRequest execRequest(String boundedTimeout) {
        return new ExecRequest(command, args, mode, env, workdir, boundedTimeout, null);
    }

    /** The same request with its timeout bounded by the gateway, for the worker. */
    public ExecSocketRequest withTimeout(String boundedTimeout) {
        return new ExecSocketRequest(type, command, args, mode, env, workdir, boundedTimeout, pty, cols, rows, encoding);
    }
}
