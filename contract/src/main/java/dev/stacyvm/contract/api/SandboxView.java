package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A sandbox as the public API shows it: StacyVM's fields first, then ours ({@code owner_id},
 * {@code worker_id}, {@code preview_urls}, {@code public_preview}, {@code error}). {@code disk_mb} is
 * the most it may write (MiB); {@code disk_used_bytes} and {@code disk_used_mb} what it has written,
 * shown for a running sandbox when its worker answered in time, left out otherwise. {@code network}
 * is {@code "none"} or {@code "bridge"}; {@code network_policy} the egress policy in force on a
 * {@code "bridge"} sandbox. {@code preview_domain} is where previews are served, with the router's
 * port when it is not the scheme's default ({@code localhost:7480}), so that StacyVM's SDKs'
 * {@code http://{port}-{id}.{preview_domain}} reaches it; {@code preview_urls} has each declared port's URL.
 * {@code image_digest} is the image's registry digest (or, for an image built on the worker, its id).
 * {@code memory_mb} is in MiB; the instants are ISO-8601. {@code runtime} is the OCI runtime that
 * isolates it ({@code runc} or {@code runsc}); {@code certified} whether that provider and runtime are
 * certified on its worker's host.
 */
@Schema(description = "A sandbox as the public API shows it: StacyVM's fields, plus ours such as owner_id, worker_id, "
        + "preview_urls, public_preview and error.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SandboxView(
        @Schema(description = "The sandbox's id: sb- and twelve hex digits.", examples = "sb-1a2b3c4d5e6f")
        String id,
        @Schema(description = "Its state: creating, running, unhealthy (its container stopped; running again when it "
                + "returns), expired, destroying, destroyed or error.", examples = "running")
        String state,
        @Schema(description = "The provider that runs it.", examples = "docker")
        String provider,
        @Schema(description = "The container image it runs.", examples = "stacyvm/base:bookworm")
        String image,
        @Schema(description = "The digest of the image it runs: the registry's manifest digest it was pulled by "
                + "(sha256:...), or the engine's image id for an image no registry served (built on the worker); null "
                + "until it runs.", examples = "sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1")
        String imageDigest,
        @Schema(description = "Memory limit in MiB.", examples = "512")
        int memoryMb,
        @Schema(description = "vCPUs it may use.", examples = "1")
        int vcpus,
        @Schema(description = "When it was created: an ISO-8601 UTC instant.", examples = "2026-11-23T14:15:01.727745Z")
        Instant createdAt,
        @Schema(description = "When its TTL runs out and it expires: an ISO-8601 UTC instant; POST "
                + "/api/v1/sandboxes/{id}/extend moves it.", examples = "2026-11-23T14:45:01.727745Z")
        Instant expiresAt,
        @Schema(description = "The labels given at create, as given.")
        Map<String, String> metadata,
        @Schema(description = "Where previews are served, with the preview-router's port when it is not the scheme's "
                + "default, so that http://{port}-{id}.{preview_domain} reaches it.", examples = "localhost:7480")
        String previewDomain,
        @Schema(description = "The owner: {tenant}:{key} for what a key created for itself, {tenant}:{key}:{user} for "
                + "what it created for its end user.", examples = "default:ci-bot:alice")
        String ownerId,
        @Schema(description = "The worker that runs it.", examples = "worker-host1-7425")
        String workerId,
        @Schema(description = "The preview URL of each declared port, keyed by the port number; empty without ports.")
        Map<String, String> previewUrls,
        @Schema(description = "True when its previews are open to anyone with the URL; false when they need a preview "
                + "token.")
        boolean publicPreview,
        @Schema(description = "The reason it went to state error or unhealthy (for instance worker_lost, runtime gone, "
                + "or the worker's refusal); null when it has none.")
        String error,
        @Schema(description = "The most it may write to disk, in MiB: its root layer, /workspace, home, /tmp and "
                + "/var/tmp together; null for a sandbox recorded without one.", examples = "10240")
        Integer diskMb,
        @Schema(description = "\"none\" (no network at all) or \"bridge\" (egress under network_policy).",
                examples = "none")
        String network,
        @Schema(description = "The egress policy in force on a \"bridge\" sandbox; left out for \"none\".")
        @JsonInclude(JsonInclude.Include.NON_NULL) NetworkPolicy networkPolicy,
        @Schema(description = "Bytes its writable layer holds now (root filesystem, /workspace, home, /tmp and "
                + "/var/tmp), as its worker measured them. Only on GET /api/v1/sandboxes/{id} of a running sandbox "
                + "whose worker answered in time; left out otherwise.")
        @JsonInclude(JsonInclude.Include.NON_NULL) Long diskUsedBytes,
        @Schema(description = "disk_used_bytes in whole MiB (rounded down), to compare with disk_mb; present when it "
                + "is.")
        @JsonInclude(JsonInclude.Include.NON_NULL) Long diskUsedMb,
        @Schema(description = "While it is creating: how far its create has come, such as the pull of its image "
                + "(\"pulling python:3.12: 41.2 of 96.0 MiB\"); left out otherwise.")
        @JsonInclude(JsonInclude.Include.NON_NULL) String progress,
        @Schema(description = "The OCI runtime that isolates it (docs/providers.md): runc, or runsc (gVisor).",
                examples = "runc")
        String runtime,
        @Schema(description = "False when it runs on a provider and runtime not certified on its worker's host "
                + "(placed there because the operator allows uncertified ones: docs/certification.md); true when "
                + "certified; null for a sandbox recorded before certification.")
        Boolean certified) {

    /**
     * This view with the bytes the sandbox's writable layer holds now (its root filesystem,
     * /workspace, home, /tmp and /var/tmp), as its worker measured them.
     */
    public SandboxView withDiskUsed(long bytes) {
        return new SandboxView(id, state, provider, image, imageDigest, memoryMb, vcpus, createdAt, expiresAt, metadata,
                previewDomain, ownerId, workerId, previewUrls, publicPreview, error, diskMb, network, networkPolicy,
                bytes, bytes / (1024L * 1024L), progress, runtime, certified);
    }
}
