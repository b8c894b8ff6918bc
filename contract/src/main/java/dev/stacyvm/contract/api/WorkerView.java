package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;

/**
 * A worker as {@code GET /api/v1/workers} shows it; {@code sandboxes} is how many it runs now,
 * {@code generation} its fencing generation (ours).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WorkerView(
        String id,
        String endpoint,
        String status,
        Instant lastHeartbeat,
        int capacity,
        long sandboxes,
        List<String> providers,
        long generation) {
}
