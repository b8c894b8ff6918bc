package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * {@code GET /sandboxes/{id}/exec/background/{process_id}/output?since=N}: what a background
 * process wrote from byte offset {@code since} on, as far as its bounded buffer still holds it.
 *
 * @param chunks  the output in order, each with its stream, its data and the offset it starts at
 * @param next    the offset to ask from next time
 * @param dropped whether output after {@code since} was already dropped from the buffer
 * @param process the process now (its state and exit code)
 */
@Schema(description = "A background process's output from an offset on, and the process now.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BackgroundOutput(List<Chunk> chunks, long next, boolean dropped, BackgroundProcess process) {

    /** One piece of output: {@code stdout} or {@code stderr}, its text (UTF-8; invalid bytes replaced), its offset. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Chunk(String stream, String data, long offset) {
    }
}
