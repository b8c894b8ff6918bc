package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.stacyvm.contract.event.SandboxProgress;
import dev.stacyvm.contract.event.SandboxStateChanged;
import dev.stacyvm.contract.event.StacyvmEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One event of {@code GET /api/v1/events}, the {@code data:} of a Server-Sent Event: StacyVM's
 * event shape ({@code id}, {@code type}, {@code sandbox_id}, {@code timestamp}, {@code data}) plus
 * the owner and worker. Types are StacyVM's where it has one: {@code sandbox.created} (the record
 * was created; the sandbox is {@code creating}), {@code sandbox.running}, {@code sandbox.error},
 * {@code sandbox.destroyed}; then {@code sandbox.unhealthy}, {@code sandbox.expired},
 * {@code sandbox.destroying} and {@code sandbox.progress} (a create's image pull).
 */
@Schema(description = "One event of GET /api/v1/events (the data of a Server-Sent Event). The SSE id of the event is "
        + "the stream's resume cursor, to send back as Last-Event-ID; this id is the event's own, the same on every "
        + "gateway.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SandboxEvent(
        @Schema(description = "The event's own id (a UUID): the same event has the same id on every stream.")
        String id,
        @Schema(description = "What happened.", examples = "sandbox.running")
        String type,
        String sandboxId,
        String ownerId,
        String workerId,
        Instant timestamp,
        @Schema(description = "For state changes: from_state (absent on sandbox.created), to_state, image and reason "
                + "(why, for errors and destroys). For sandbox.progress: phase (pulling or pulled), detail, bytes_done "
                + "and bytes_total.")
        Map<String, Object> data) {

    /** The media type of the stream: Server-Sent Events (WHATWG HTML, "Server-sent events"). */
    public static final String MEDIA_TYPE = "text/event-stream";

    /** Every type a stream carries, for the {@code type} filter. */
    public static final List<String> TYPES = List.of("sandbox.created", "sandbox.running", "sandbox.unhealthy",
            "sandbox.expired", "sandbox.destroying", "sandbox.destroyed", "sandbox.error", "sandbox.progress");

    /** The public event for a lifecycle event from the sandbox events topic, or null for any other kind. */
    public static SandboxEvent of(StacyvmEvent event) {
        Map<String, Object> data = new LinkedHashMap<>();
        String type;
        if (event instanceof SandboxStateChanged changed) {
            type = "creating".equals(changed.toState()) ? "sandbox.created" : "sandbox." + changed.toState();
            putIfPresent(data, "from_state", changed.fromState());
            putIfPresent(data, "to_state", changed.toState());
            putIfPresent(data, "image", changed.image());
            putIfPresent(data, "reason", changed.reason());
        } else if (event instanceof SandboxProgress progress) {
            type = SandboxProgress.TYPE;
            putIfPresent(data, "phase", progress.phase());
            putIfPresent(data, "detail", progress.detail());
            data.put("bytes_done", progress.bytesDone());
            data.put("bytes_total", progress.bytesTotal());
        } else {
            return null;
        }
        return new SandboxEvent(event.eventId().toString(), type, event.sandboxId(), event.ownerId(), event.workerId(),
                event.occurredAt(), data);
    }

    private static void putIfPresent(Map<String, Object> data, String key, Object value) {
        if (value != null) {
            data.put(key, value);
        }
    }
}
