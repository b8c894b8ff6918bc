package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /api/v1/sandboxes}. Every field is optional: null or an empty string
 * means "the default", as StacyVM clients send {@code "provider": ""}. {@code worker_labels}
 * (ours) places the sandbox on a worker carrying all of those labels. {@code read_only_root}
 * (ours) mounts the image's root filesystem read-only; {@code /workspace} (home), {@code /tmp} and
 * {@code /var/tmp} stay writable. There is no field to run as root: only a template an
 * administrator saved with {@code allow_root} may (see {@link TemplateRequest}).
 * {@code network_policy} (ours) is the egress policy of a {@code network: "bridge"} sandbox
 * ({@link NetworkPolicy}); its tenant's policy bounds it.
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
        Integer pidsLimit,
        Map<String, String> workerLabels,
        Boolean readOnlyRoot,
        NetworkPolicy networkPolicy) {

    /** This request's fields where it sets them, the template's where it leaves them empty. */
    public CreateSandboxRequest over(CreateSandboxRequest template) {
        return new CreateSandboxRequest(
                pick(image, template.image), pick(provider, template.provider),
                pick(memoryMb, template.memoryMb), pick(vcpus, template.vcpus), pick(ttl, template.ttl), ownerId, null,
                merge(template.metadata, metadata), merge(template.env, env), pick(network, template.network),
                ports == null || ports.isEmpty() ? template.ports : ports,
                publicPreview != null ? publicPreview : template.publicPreview,
                pick(diskMb, template.diskMb), pick(pidsLimit, template.pidsLimit),
                workerLabels == null || workerLabels.isEmpty() ? template.workerLabels : workerLabels,
                readOnlyRoot != null ? readOnlyRoot : template.readOnlyRoot,
                networkPolicy != null ? networkPolicy : template.networkPolicy);
    }

    private static String pick(String mine, String theirs) {
        return mine == null || mine.isBlank() ? theirs : mine;
    }

    private static Integer pick(Integer mine, Integer theirs) {
        return mine == null || mine == 0 ? theirs : mine;
    }

    private static Map<String, String> merge(Map<String, String> base, Map<String, String> overrides) {
        if (base == null || base.isEmpty()) {
            return overrides;
        }
        if (overrides == null || overrides.isEmpty()) {
            return base;
        }
        Map<String, String> merged = new java.util.LinkedHashMap<>(base);
        merged.putAll(overrides);
        return merged;
    }
}
