package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A sandbox provider as {@code GET /api/v1/providers} shows it. {@code healthy} means at least
 * one ready worker offers it and its engine answers; {@code workers} counts those workers;
 * {@code certifications} has one entry per ready worker and runtime.
 */
@Schema(description = "A sandbox provider as GET /api/v1/providers shows it (StacyVM's REST API).")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ProviderView(
        @Schema(description = "The provider's name, as a create's provider names it.", examples = "docker")
        String name,
        @Schema(description = "True when at least one ready worker offers it and its engine answers.")
        boolean healthy,
        @Schema(description = "True for the provider a create without provider gets.")
        @JsonProperty("default") boolean isDefault,
        @Schema(description = "What it can do, as its healthy workers report it.",
                examples = "[\"exec\", \"exec-timeout\", \"processes\", \"files\", \"terminal\", \"logs\"]")
        List<String> capabilities,
        @Schema(description = "How many ready workers offer it with an engine that answers.", examples = "1")
        int workers,
        @Schema(description = "Its certification under each OCI runtime on each ready worker that offers it "
                + "(docs/certification.md); placement uses only certified ones unless the operator allows others.")
        List<Certification> certifications) {
}
