package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code POST /api/v1/templates} and {@code PUT /api/v1/templates/{name}}: a named
 * set of create fields. Empty fields mean the defaults, as in a create. {@code allow_root: true}
 * lets sandboxes created from the template run as root (uid 0, still without capabilities) instead
 * of the worker's fixed non-root user: only an administrator may save a template with it
 * ({@code 403 forbidden} otherwise), and a create naming such a template may not change its image.
 * {@code network_policy} is the egress policy its networked sandboxes get unless the create names one. Units are a
 * create's: MiB for {@code memory_mb} and {@code disk_mb}, a Go duration for {@code ttl}.
 */
@Schema(description = "The body of POST /api/v1/templates and PUT /api/v1/templates/{name}: a named set of create "
        + "fields, checked as a create would be when it is saved. Empty fields mean the defaults, as in a create; each "
        + "field means what it means in CreateSandboxRequest.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TemplateRequest(
        @Schema(description = "The template's name, matching [a-z0-9][a-z0-9._-]{0,62}: required by POST; a PUT may "
                + "leave it out, or must name the template it replaces (a name cannot change).", examples = "python-ci")
        String name,
        @Schema(description = "The image, as a create's image.", examples = "stacyvm/base:bookworm")
        String image,
        @Schema(description = "The provider, as a create's provider.", examples = "docker")
        String provider,
        @Schema(description = "Memory limit in MiB, as a create's memory_mb.", examples = "1024")
        Integer memoryMb,
        @Schema(description = "vCPUs, as a create's vcpus.", examples = "2")
        Integer vcpus,
        @Schema(description = "TTL as a Go duration string, as a create's ttl.", examples = "1h")
        String ttl,
        @Schema(description = "Labels, as a create's metadata; a create's own entries win over these.")
        Map<String, String> metadata,
        @Schema(description = "Environment variables, as a create's env; a create's own entries win over these.")
        Map<String, String> env,
        @Schema(description = "\"none\" or \"bridge\", as a create's network.", examples = "bridge")
        String network,
        @Schema(description = "Preview ports, as a create's ports.", examples = "[3000]")
        List<Integer> ports,
        @Schema(description = "As a create's public_preview.")
        Boolean publicPreview,
        @Schema(description = "Most processes and threads at once, as a create's pids_limit.", examples = "256")
        Integer pidsLimit,
        @Schema(description = "True lets sandboxes created from the template run as root (uid 0, still without "
                + "capabilities) instead of the worker's fixed non-root user. Only an administrator may save it (403 "
                + "forbidden otherwise), and a create naming such a template may not change its image. Default false.")
        Boolean allowRoot,
        @Schema(description = "As a create's read_only_root.")
        Boolean readOnlyRoot,
        @Schema(description = "Disk limit in MiB, as a create's disk_mb.", examples = "10240")
        Integer diskMb,
        @Schema(description = "The egress policy its networked sandboxes get unless the create names one; bounded by "
                + "the tenant's policy.")
        NetworkPolicy networkPolicy,
        @Schema(description = "As a create's pull_policy: if-not-present, always or never for its sandboxes' image. "
                + "Default: the operator's.", examples = "always")
        String pullPolicy,
        @Schema(description = "Warm sandboxes each ready worker keeps of this template's image and shape, so that a "
                + "spawn claims one instead of starting a container: 0 to the gateway's max-pool-size (4). Only an "
                + "administrator may set it (403 forbidden otherwise), and only on a template without env, network, "
                + "ports, root, read-only root or a runtime other than runc.", examples = "2")
        Integer poolSize,
        @Schema(description = "The OCI runtime of its sandboxes, as a create's runtime: runc or runsc.",
                examples = "runsc")
        String runtime) {

    /** The create request this template stands for. */
    public CreateSandboxRequest asCreateRequest() {
        return new CreateSandboxRequest(image, provider, memoryMb, vcpus, ttl, null, null, metadata, env, network,
                ports, publicPreview, diskMb, pidsLimit, null, readOnlyRoot, networkPolicy, pullPolicy, runtime);
    }
}
