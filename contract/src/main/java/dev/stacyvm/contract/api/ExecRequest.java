package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /api/v1/sandboxes/{id}/exec}. {@code mode: "argv"} runs {@code command}
 * with {@code args} and no shell; otherwise {@code command} runs under {@code sh -c}, followed by
 * each of {@code args} quoted for the shell (as StacyVM does), so an arg is always one word taken
 * literally: {@code $(...)}, {@code ;} and spaces in it are text. {@code timeout} is a Go duration.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ExecRequest(
        String command,
        List<String> args,
        String mode,
        Map<String, String> env,
        String workdir,
        String timeout,
        Boolean stream) {

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
