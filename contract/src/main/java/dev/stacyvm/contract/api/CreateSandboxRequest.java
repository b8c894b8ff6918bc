package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code POST /api/v1/sandboxes}. Every field is optional: null or an empty string
 * means "the default", as StacyVM clients send {@code "provider": ""}. {@code worker_labels}
 * (ours) places the sandbox on a worker carrying all of those labels. {@code read_only_root}
 * (ours) mounts the image's root filesystem read-only; {@code /workspace} (home), {@code /tmp} and
 * {@code /var/tmp} stay writable. There is no field to run as root: only a template an
 * administrator saved with {@code allow_root} may (see {@link TemplateRequest}).
 * {@code network_policy} (ours) is the egress policy of a {@code network: "bridge"} sandbox
 * ({@link NetworkPolicy}); its tenant's policy bounds it. {@code memory_mb} and {@code disk_mb}
 * are in MiB, {@code ttl} is a Go duration ({@code "30m"}).
 *
 * <p>The defaults named in the field descriptions are the gateway's own ({@code stacyvm.gateway.sandboxes.*});
 * an operator may configure others, and the bounds with them. A field that is {@code 0} takes the default too.
 */
@Schema(description = "The body of POST /api/v1/sandboxes and POST /api/v1/sandboxes/admission (StacyVM's REST API, "
        + "with our additions), and of POST /api/v1/templates/{name}/spawn, where its fields win over the template's. "
        + "Every field is optional: null, an empty string or 0 means the default. Defaults and bounds are the "
        + "gateway's, which an operator may configure.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CreateSandboxRequest(
        @Schema(description = "The container image to run: at most 255 characters, letters, digits and . _ / : @ - "
                + "only, starting with a letter or digit. Default: stacyvm/base:bookworm (Debian with python3, user "
                + "sandbox).", examples = "stacyvm/base:bookworm")
        String image,
        @Schema(description = "The sandbox provider: one of those GET /api/v1/providers lists. Default: the first "
                + "configured, docker.", examples = "docker")
        String provider,
        @Schema(description = "Memory limit in MiB. Default 512; at least 64, at most 8192.", examples = "512")
        Integer memoryMb,
        @Schema(description = "vCPUs (a ceiling the sandbox may burst to, not a reservation). Default 1; at least 1, "
                + "at most 8, and never more than the cores of a worker host.", examples = "1")
        Integer vcpus,
        @Schema(description = "How long the sandbox lives before it expires, as a Go duration string. Default 30m; at "
                + "least 1s. A longer one is capped at the owner's max_ttl (24h by default), not refused.",
                examples = "30m")
        String ttl,
        @Schema(description = "The end user to create the sandbox for, as the X-User-ID header names one (the header "
                + "wins when both are given): the owner becomes {tenant}:{key}:{owner_id}. At most 128 characters, no "
                + "whitespace, control characters or path separators. Default: the calling key's own namespace, "
                + "{tenant}:{key}.", examples = "alice")
        String ownerId,
        @Schema(description = "The name of one of the caller's templates: the fields this body leaves empty take the "
                + "template's, and metadata and env are merged (this body's entries win).", examples = "python-ci")
        String template,
        @Schema(description = "Free-form labels kept with the sandbox and shown back: at most 64 entries, keys of 1 "
                + "to 128 characters, values of at most 1024.")
        Map<String, String> metadata,
        @Schema(description = "Environment variables of the sandbox's processes: names match "
                + "[A-Za-z_][A-Za-z0-9_]*, values hold no NUL byte.")
        Map<String, String> env,
        @Schema(description = "\"none\" (no network at all) or \"bridge\" (egress under network_policy). Default: "
                + "\"bridge\" when the sandbox has preview ports, else \"none\"; \"none\" with ports is refused.",
                examples = "bridge")
        String network,
        @Schema(description = "Ports (1 to 65535, at most 16) served as browser previews through the "
                + "preview-router; each gets a URL in the sandbox's preview_urls. Default: none, or [3000] when "
                + "public_preview is true.")
        List<Integer> ports,
        @Schema(description = "True to serve the previews to anyone with the URL; false (the default) to require a "
                + "preview token from GET /api/v1/sandboxes/{id}/preview/{port}.")
        Boolean publicPreview,
        @Schema(description = "The most the sandbox may write to disk, in MiB: its root layer, /workspace, home, "
                + "/tmp and /var/tmp together. Default 10240; at least 64, at most 1048576 and never more than a "
                + "worker host holds.", examples = "10240")
        Integer diskMb,
        @Schema(description = "The most processes and threads the sandbox may hold at once. Default 256; at least 16, "
                + "at most 4096 and never more than a worker host allows one sandbox.", examples = "256")
        Integer pidsLimit,
        @Schema(description = "Places the sandbox only on a worker carrying all of these labels: at most 64 entries, "
                + "keys of 1 to 128 characters, values of at most 1024.")
        Map<String, String> workerLabels,
        @Schema(description = "True to mount the image's root filesystem read-only; /workspace (home), /tmp and "
                + "/var/tmp stay writable. Default false.")
        Boolean readOnlyRoot,
        @Schema(description = "The egress policy of a \"bridge\" sandbox, bounded by its tenant's policy. Default: "
                + "the template's, else the tenant's, else open egress to public addresses. Refused on a sandbox "
                + "without a network.")
        NetworkPolicy networkPolicy,
        @Schema(description = "How the worker gets the image: if-not-present (pull it when missing), always (pull "
                + "every time, following a moved tag) or never (a missing image is refused). Default: the template's, "
                + "else the operator's (if-not-present).", examples = "always")
        String pullPolicy,
        @Schema(description = "The OCI runtime that isolates the sandbox (ours; docs/providers.md): runc (namespaces "
                + "and seccomp, the default) or runsc (gVisor: the sandbox's system calls go to a kernel in user space, "
                + "not the host's). runsc runs sandboxes with network none only; a create with ports or network "
                + "bridge is refused. Placed only on a worker whose engine has the runtime. Default: the template's, "
                + "else runc.", examples = "runsc")
        String runtime) {

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
                networkPolicy != null ? networkPolicy : template.networkPolicy, pick(pullPolicy, template.pullPolicy),
                pick(runtime, template.runtime));
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
