package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A worker as {@code GET /api/v1/workers} shows it; {@code sandboxes} is how many it runs now,
 * {@code generation} its fencing generation (ours). {@code host} is what its host can hold as it
 * last advertised (null: it advertised nothing, so nothing is placed there) and {@code used} what
 * its live sandboxes hold of it (the sums of their memory_mb, vcpus and pids_limit); {@code certified}
 * the provider/runtime pairs certified on its host.
 */
@Schema(description = "A worker as GET /api/v1/workers (operators and administrators) shows it; generation is ours.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WorkerView(
        @Schema(description = "The worker's id.", examples = "worker-host1-7425")
        String id,
        @Schema(description = "The http(s) URL the scheduler and the gateway reach the worker at.",
                examples = "http://127.0.0.1:7425")
        String endpoint,
        @Schema(description = "ready (it takes sandboxes), stopping (shut down cleanly: no new sandboxes, its "
                + "sandboxes wait for it) or lost (it stopped heartbeating; its sandboxes go to error).",
                examples = "ready")
        String status,
        @Schema(description = "When its last heartbeat arrived: an ISO-8601 UTC instant.")
        Instant lastHeartbeat,
        @Schema(description = "How many live sandboxes it accepts at once.", examples = "100")
        int capacity,
        @Schema(description = "How many live sandboxes (creating, running or unhealthy) it runs now.", examples = "3")
        long sandboxes,
        @Schema(description = "The providers it offers.", examples = "[\"docker\"]")
        List<String> providers,
        @Schema(description = "Its fencing generation, raised whenever a new process of the worker takes its id over.",
                examples = "1")
        long generation,
        @Schema(description = "What its host can hold, as it last advertised; null when it advertised nothing, so "
                + "nothing is placed there.")
        HostCapacity host,
        @Schema(description = "What its live sandboxes hold of host: the sums of their memory_mb, vcpus, pids_limit "
                + "and disk_mb.")
        HostCapacity used,
        @Schema(description = "The OCI runtimes its engine offers sandboxes (runc, runsc); a create's runtime is "
                + "placed only on a worker listing it.", examples = "[\"runc\", \"runsc\"]")
        List<String> runtimes,
        @Schema(description = "The providers and runtimes certified on its host, as provider/runtime "
                + "(docs/certification.md); GET /api/v1/providers has every state with its report.",
                examples = "[\"docker/runc\", \"docker/runsc\"]")
        List<String> certified) {
}
