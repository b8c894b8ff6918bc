package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A template as the API shows it. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TemplateView(
        String name,
        String image,
        String provider,
        Integer memoryMb,
        Integer vcpus,
        String ttl,
        Map<String, String> metadata,
        Map<String, String> env,
        String network,
        List<Integer> ports,
        Boolean publicPreview,
        Integer pidsLimit,
        Boolean allowRoot,
        Boolean readOnlyRoot,
        Integer diskMb,
        @JsonInclude(JsonInclude.Include.NON_NULL) NetworkPolicy networkPolicy,
        String ownerId,
        Instant createdAt,
        Instant updatedAt) {
}
