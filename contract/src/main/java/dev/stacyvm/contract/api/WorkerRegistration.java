package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * A worker introducing itself to the scheduler, at start and on every heartbeat: where it
 * answers, how many sandboxes it may run, which providers it has, and labels placement may match.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WorkerRegistration(
        String id,
        String endpoint,
        int capacity,
        List<String> providers,
        Map<String, String> labels) {
}
