package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.Map;

/**
 * A sandbox as the public API shows it: StacyVM's fields first, then ours ({@code owner_id},
 * {@code worker_id}, {@code preview_urls}, {@code public_preview}, {@code error}). {@code disk_mb} is
 * the most it may write (MiB); {@code disk_used_bytes} and {@code disk_used_mb} what it has written,
 * shown for a running sandbox when its worker answered in time, left out otherwise. {@code network}
 * is {@code "none"} or {@code "bridge"}; {@code network_policy} the egress policy in force on a
 * {@code "bridge"} sandbox. {@code preview_domain} is where previews are served, with the router's
 * port when it is not the scheme's default ({@code localhost:7480}), so that StacyVM's SDKs'
 * {@code http://{port}-{id}.{preview_domain}} reaches it; {@code preview_urls} has each declared port's URL.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SandboxView(
        String id,
        String state,
        String provider,
        String image,
        int memoryMb,
        int vcpus,
        Instant createdAt,
        Instant expiresAt,
        Map<String, String> metadata,
        String previewDomain,
        String ownerId,
        String workerId,
        Map<String, String> previewUrls,
        boolean publicPreview,
        String error,
        Integer diskMb,
        String network,
        @JsonInclude(JsonInclude.Include.NON_NULL) NetworkPolicy networkPolicy,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long diskUsedBytes,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long diskUsedMb) {

    /**
     * This view with the bytes the sandbox's writable layer holds now (its root filesystem,
     * /workspace, home, /tmp and /var/tmp), as its worker measured them.
     */
    public SandboxView withDiskUsed(long bytes) {
        return new SandboxView(id, state, provider, image, memoryMb, vcpus, createdAt, expiresAt, metadata, previewDomain,
                ownerId, workerId, previewUrls, publicPreview, error, diskMb, network, networkPolicy, bytes,
                bytes / (1024L * 1024L));
    }
}
