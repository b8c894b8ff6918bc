package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /api/v1/sandboxes}. Every field is optional: null or an empty string
 * means "the default", as StacyVM clients send {@code "provider": ""}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CreateSandboxRequest(
        String image,
        String provider,
        Integer memoryMb,
        Integer vcpus,
        String ttl,
        String ownerId,
        String template,
        Map<String, String> metadata,
        Map<String, String> env,
        String network,
        List<Integer> ports,
        Boolean publicPreview,
        Integer diskMb,
        Integer pidsLimit) {
}
