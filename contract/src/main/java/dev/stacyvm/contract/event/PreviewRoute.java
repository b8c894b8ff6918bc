package dev.stacyvm.contract.event;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.Map;

/**
 * Where a sandbox's previews are served: the latest state of one sandbox with preview ports, on the
 * compacted topic {@link Topics#PREVIEW_ROUTES} keyed by sandbox id (a tombstone once it is
 * destroyed). {@code ports} maps each declared sandbox port to the port it is published on at
 * {@code preview_host}, the worker's own preview address.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PreviewRoute(
        String sandboxId,
        String ownerId,
        String state,
        String previewHost,
        Map<Integer, Integer> ports,
        boolean publicPreview,
        Instant updatedAt) {
}
