package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** An environment spec as {@code /environments/specs} shows it (StacyVM's shape, with our fields). */
@Schema(description = "An environment spec: a base image plus packages to build.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EnvironmentSpecView(
        @Schema(description = "Its id: spec_ and 16 hex digits.", examples = "spec_0f1e2d3c4b5a6978")
        String id,
        @Schema(description = "Who owns it.", examples = "default:ci-bot")
        String ownerId,
        String name,
        String baseImage,
        List<String> pythonPackages,
        List<String> aptPackages,
        String pythonVersion,
        String pipIndexUrl,
        NetworkPolicy networkPolicy,
        @Schema(description = "An ISO-8601 UTC instant.")
        Instant createdAt,
        @Schema(description = "An ISO-8601 UTC instant.")
        Instant updatedAt) {
}
