package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A command started with {@code background: true}: {@code POST /sandboxes/{id}/exec}'s answer,
 * and each entry of {@code GET /sandboxes/{id}/exec/background}.
 */
@Schema(description = "A command started detached (background: true), running or ended.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackgroundProcess(
        @Schema(description = "Its id, for the routes under /sandboxes/{id}/exec/background/{process_id}.",
                examples = "bg-5f2a9c") String id,
        @Schema(description = "The command as asked.", examples = "python3 -m http.server 3000") String command,
        @Schema(description = "running or exited.", examples = "running") String state,
        @Schema(description = "Its exit status once exited (128+signal when a signal ended it).") Integer exitCode,
        @Schema(description = "True when its timeout ended it.") Boolean timedOut,
        @Schema(description = "When it started (RFC 3339).") Instant startedAt,
        @Schema(description = "When it ended (RFC 3339), once exited.") Instant endedAt,
        @Schema(description = "Bytes of output it has written so far; the buffer keeps the last 256 KiB.")
        long outputBytes) {

    public static final String RUNNING = "running";
    public static final String EXITED = "exited";
}
