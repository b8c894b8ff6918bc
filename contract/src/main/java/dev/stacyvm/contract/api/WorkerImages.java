package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The images one worker holds, or why it could not say ({@code error}, with no images). */
@Schema(description = "The images one worker holds, or why it could not say.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WorkerImages(
        @Schema(description = "The worker.", examples = "worker-host1-7425")
        String workerId,
        @Schema(description = "Its images, largest first; empty when error is set.")
        List<ImageView> images,
        @Schema(description = "Why the worker did not answer; left out when it did.")
        @JsonInclude(JsonInclude.Include.NON_NULL) String error) {
}
