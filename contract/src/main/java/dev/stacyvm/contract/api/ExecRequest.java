package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code POST /api/v1/sandboxes/{id}/exec}. {@code mode: "argv"} runs {@code command}
 * with {@code args} and no shell; otherwise {@code command} runs under {@code sh -c}, followed by
 * each of {@code args} quoted for the shell (as StacyVM does), so an arg is always one word taken
 * literally: {@code $(...)}, {@code ;} and spaces in it are text. {@code timeout} is a Go duration.
 */
@Schema(description = "The body of POST /api/v1/sandboxes/{id}/exec (StacyVM's REST API): a command to run in a "
        + "running sandbox as the sandbox's user.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ExecRequest(
        @Schema(description = "Required. In shell mode a line for sh -c; in argv mode the program to run.",
                examples = "python3 -c 'print(40+2)'")
        String command,
        @Schema(description = "Words after the command. In shell mode each is quoted for the shell, so it is one "
                + "literal word ($(...), ; and spaces in it are text); in argv mode they are passed as they are. A "
                + "null entry is refused.")
        List<String> args,
        @Schema(description = "\"argv\" runs command with args and no shell; \"shell\", empty or left out runs it "
                + "under sh -c.", examples = "argv")
        String mode,
        @Schema(description = "Environment variables for this command; a value holding a NUL byte is refused.")
        Map<String, String> env,
        @Schema(description = "The directory the command starts in; one the sandbox's user cannot enter is refused "
                + "with 400 bad_request and nothing runs.", examples = "/workspace")
        String workdir,
        @Schema(description = "How long the command may run, as a Go duration string; at the end it and every "
                + "process it started are killed (timed_out: true). Default 60s; one above the owner's "
                + "max_exec_timeout (1h by default) is refused with 429 resource_limit.", examples = "30s")
        String timeout,
        @Schema(description = "True to get the output as NDJSON (application/x-ndjson, one ExecStreamLine per line) "
                + "while the command runs, instead of one ExecResult at its end. Default false.")
        Boolean stream,
        @Schema(description = "True to start the command detached and answer at once (202) with a BackgroundProcess: it "
                + "runs until it exits, is signalled or killed, or the sandbox ends (timeout applies only when given), "
                + "its output kept in a bounded buffer under /sandboxes/{id}/exec/background. Not with stream. "
                + "Default false.")
        Boolean background) {

    /** StacyVM's request, without {@code background}. */
    public ExecRequest(String command, List<String> args, String mode, Map<String, String> env, String workdir,
                       String timeout, Boolean stream) {
        this(command, args, mode, env, workdir, timeout, stream, null);
    }

    /** Whether the command is to run detached. */
    public boolean detached() {
        return Boolean.TRUE.equals(background);
    }

    /** The {@code mode} that runs {@code command} with {@code args} directly, without a shell. */
    public static final String MODE_ARGV = "argv";

    /**
     * What shell mode runs under {@code sh -c}: {@code command} as written, then each arg as one
     * literal word ({@link #shellQuote}).
     *
     * @throws ApiException bad_request for a null arg
     */
    public String shellLine() {
        if (args == null || args.isEmpty()) {
            return command;
        }
        StringBuilder line = new StringBuilder(command);
        for (String arg : args) {
            if (arg == null) {
                throw ApiException.badRequest("args may not contain null");
            }
            line.append(' ').append(shellQuote(arg));
        }
        return line.toString();
    }

    /** {@code text} as one POSIX shell word taken literally: in single quotes, each {@code '} as {@code '\''}. */
    public static String shellQuote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }
}
