package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** What one worker removed in a prune, or why it did not ({@code error}). */
@Schema(description = "What one worker's garbage collection removed, or why it did not.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ImagePruneResult(
        @Schema(description = "The worker.", examples = "worker-host1-7425")
        String workerId,
        @Schema(description = "The names of the images it removed.")
        List<String> removed,
        @Schema(description = "Why it removed nothing; left out when it answered.")
        @JsonInclude(JsonInclude.Include.NON_NULL) String error) {
}
