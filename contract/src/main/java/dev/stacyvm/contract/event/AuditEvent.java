package dev.stacyvm.contract.event;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.UUID;

/**
 * Somebody did something through the public API: who ({@code actor}), for which owner, what
 * ({@code action}, e.g. {@code sandbox.exec}), to what ({@code target}), and how it ended
 * ({@code outcome}: {@code success}, {@code failure} or {@code denied}). Never carries secrets
 * or file contents; {@code detail} is a short, already truncated description. {@code traceId} is
 * the OpenTelemetry trace of the request that did it (32 hex digits), which ties the record to the
 * request's spans and log lines; absent on events written before tracing, and on those with no
 * trace.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AuditEvent(
        UUID eventId,
        String type,
        int version,
        Instant occurredAt,
        String sandboxId,
        String ownerId,
        String workerId,
        String actor,
        String action,
        String target,
        String outcome,
        String requestId,
        String sourceAddress,
        String detail,
        String traceId) implements StacyvmEvent {

    public static final String TYPE = "audit.recorded";
    public static final int CURRENT_VERSION = 1;

    public static final String SUCCESS = "success";
    public static final String FAILURE = "failure";
    public static final String DENIED = "denied";

    @Override
    public String topic() {
        return Topics.AUDIT_EVENTS;
    }

    @Override
    public String key() {
        return sandboxId != null ? sandboxId : target;
    }
}
