package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /api/v1/sandboxes/{id}/exec}. {@code mode: "argv"} runs {@code command}
 * with {@code args} and no shell; otherwise {@code command} runs under {@code sh -c}.
 * {@code timeout} is a Go duration.
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
}
