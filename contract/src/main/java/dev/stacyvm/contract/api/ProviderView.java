package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * A sandbox provider as {@code GET /api/v1/providers} shows it. {@code healthy} means at least
 * one ready worker offers it and its engine answers; {@code workers} counts those workers.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ProviderView(String name, boolean healthy, @JsonProperty("default") boolean isDefault, List<String> capabilities, int workers) {
}
