package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The JSON body of {@code POST /environments/builds} (StacyVM's): build the spec {@code spec_id}.
 * A Dockerfile build sends its context as a tar instead (docs/images.md, Builds).
 */
@Schema(description = "The JSON body of POST /api/v1/environments/builds: build a spec. A Dockerfile build sends its "
        + "context as application/x-tar instead, with ?name=.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BuildRequest(
        @Schema(description = "The spec to build.", examples = "spec_0f1e2d3c4b5a6978")
        String specId,
        @Schema(description = "StacyVM's targets: only local (the image stays on the worker that built it) is "
                + "supported; left out: local.", examples = "[\"local\"]")
        List<String> targets,
        @Schema(description = "StacyVM's field: only private (the default) is supported.", examples = "private")
        String visibility) {
}
