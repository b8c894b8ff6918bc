package dev.stacyvm.contract.event;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.Map;

/**
 * Where a sandbox's previews are served: the latest state of one sandbox with preview ports, on the
 * compacted topic {@link Topics#PREVIEW_ROUTES} keyed by sandbox id (a tombstone once it is
 * destroyed). {@code ports} maps each declared sandbox port to the port it is published on at
 * {@code preview_host}, the worker's own preview address. {@code preview_generation} is the
 * sandbox's preview generation: the router refuses tokens of an earlier one (absent in routes
 * published before generations existed: 0).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PreviewRoute(
        String sandboxId,
        String ownerId,
        String state,
        String previewHost,
        Map<Integer, Integer> ports,
        boolean publicPreview,
        Instant updatedAt,
        long previewGeneration) {
}
