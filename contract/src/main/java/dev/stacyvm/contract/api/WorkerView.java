package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;

/**
 * A worker as {@code GET /api/v1/workers} shows it; {@code sandboxes} is how many it runs now,
 * {@code generation} its fencing generation (ours). {@code host} is what its host can hold as it
 * last advertised (null: it advertised nothing, so nothing is placed there) and {@code used} what
 * its live sandboxes hold of it (the sums of their memory_mb, vcpus and pids_limit).
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
        long generation,
        HostCapacity host,
        HostCapacity used) {
}
