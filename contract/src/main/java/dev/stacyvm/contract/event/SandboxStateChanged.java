package dev.stacyvm.contract.event;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.UUID;

/**
 * A sandbox moved from one state to another. {@code from_state} is null for the first event
 * (the record was created); {@code reason} says why for error and destroy transitions. {@code build}
 * marks a build's sandbox, which only administrators see (the gateway's event stream leaves it out
 * for everyone else).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SandboxStateChanged(
        UUID eventId,
        String type,
        int version,
        Instant occurredAt,
        String sandboxId,
        String ownerId,
        String workerId,
        String fromState,
        String toState,
        String image,
        String reason,
        boolean build) implements StacyvmEvent {

    public static final String TYPE = "sandbox.state_changed";
    public static final int CURRENT_VERSION = 1;

    public static SandboxStateChanged of(String sandboxId, String ownerId, String workerId,
                                         String fromState, String toState, String image, String reason,
                                         boolean build) {
        return new SandboxStateChanged(UUID.randomUUID(), TYPE, CURRENT_VERSION, Instant.now(), sandboxId, ownerId,
                workerId, fromState, toState, image, reason, build);
    }

    @Override
    public String topic() {
        return Topics.SANDBOX_EVENTS;
    }
}
