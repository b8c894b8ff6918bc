package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/** An API key as the admin API shows it; {@code key} is there only in the answer to its creation. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiKeyView(String id, String name, String tenant, String role, Instant createdAt, Instant revokedAt,
                         String key) {
}
