package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.Map;

/**
 * A sandbox as the public API shows it: StacyVM's fields first, then ours ({@code owner_id},
 * {@code worker_id}, {@code preview_urls}, {@code public_preview}, {@code error}).
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
        String error) {
}
