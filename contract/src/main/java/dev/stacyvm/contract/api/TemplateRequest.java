package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /api/v1/templates} and {@code PUT /api/v1/templates/{name}}: a named
 * set of create fields. Empty fields mean the defaults, as in a create. {@code allow_root: true}
 * lets sandboxes created from the template run as root (uid 0, still without capabilities) instead
 * of the worker's fixed non-root user: only an administrator may save a template with it
 * ({@code 403 forbidden} otherwise), and a create naming such a template may not change its image.
 * {@code network_policy} is the egress policy its networked sandboxes get unless the create names one.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TemplateRequest(
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
        NetworkPolicy networkPolicy) {

    /** The create request this template stands for. */
    public CreateSandboxRequest asCreateRequest() {
        return new CreateSandboxRequest(image, provider, memoryMb, vcpus, ttl, null, null, metadata, env, network, ports,
                publicPreview, diskMb, pidsLimit, null, readOnlyRoot, networkPolicy);
    }
}
