package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A template as {@code /api/v1/templates} shows it: the create fields as they were saved ({@link TemplateRequest};
 * null where the template leaves the default), its owner and when it was saved. Memory and disk are in MiB,
 * {@code ttl} is a Go duration, the instants are ISO-8601.
 */
@Schema(description = "A template as /api/v1/templates shows it: the create fields as they were saved (null where the "
        + "template leaves the default; see TemplateRequest), its owner and when it was created and last changed.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TemplateView(
        @Schema(description = "The template's name.", examples = "python-ci")
        String name,
        @Schema(description = "The image.", examples = "stacyvm/base:bookworm")
        String image,
        @Schema(description = "The provider.", examples = "docker")
        String provider,
        @Schema(description = "Memory limit in MiB.", examples = "1024")
        Integer memoryMb,
        @Schema(description = "vCPUs.", examples = "2")
        Integer vcpus,
        @Schema(description = "TTL as a Go duration string.", examples = "1h")
        String ttl,
        @Schema(description = "Labels its sandboxes get.")
        Map<String, String> metadata,
        @Schema(description = "Environment variables its sandboxes get.")
        Map<String, String> env,
        @Schema(description = "\"none\" or \"bridge\".", examples = "bridge")
        String network,
        @Schema(description = "Preview ports.", examples = "[3000]")
        List<Integer> ports,
        @Schema(description = "Whether its previews are open to anyone with the URL.")
        Boolean publicPreview,
        @Schema(description = "Most processes and threads at once.", examples = "256")
        Integer pidsLimit,
        @Schema(description = "True when its sandboxes run as root (an administrator saved it so).")
        Boolean allowRoot,
        @Schema(description = "Whether its sandboxes' root filesystem is read-only.")
        Boolean readOnlyRoot,
        @Schema(description = "Disk limit in MiB.", examples = "10240")
        Integer diskMb,
        @Schema(description = "The egress policy its networked sandboxes get unless the create names one; left out "
                + "without one.")
        @JsonInclude(JsonInclude.Include.NON_NULL) NetworkPolicy networkPolicy,
        @Schema(description = "if-not-present, always or never; left out: the operator's.")
        @JsonInclude(JsonInclude.Include.NON_NULL) String pullPolicy,
        @Schema(description = "Warm sandboxes each ready worker keeps of it; 0 for none.")
        int poolSize,
        @Schema(description = "The owner whose template it is: only that owner sees and uses it.",
                examples = "default:ci-bot")
        String ownerId,
        @Schema(description = "When it was created: an ISO-8601 UTC instant.")
        Instant createdAt,
        @Schema(description = "When it was last saved: an ISO-8601 UTC instant.")
        Instant updatedAt,
        @Schema(description = "The OCI runtime of its sandboxes (runc or runsc); left out: the default, runc.")
        @JsonInclude(JsonInclude.Include.NON_NULL) String runtime) {
}
