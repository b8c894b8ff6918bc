package dev.stacyvm.contract.event;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.UUID;

/**
 * How far a sandbox's create has come while it is {@code creating}: today, the pull of its image.
 * {@code phase} is {@code pulling} (with {@code bytes_done} of {@code bytes_total} of the layers it
 * downloads so far, 0 of 0 before the registry said) or {@code pulled}; {@code detail} is the line
 * the sandbox view shows; {@code build} marks a build's sandbox, as on {@link SandboxStateChanged}.
 * Not an audit fact: the audit service passes it by.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SandboxProgress(
        UUID eventId,
        String type,
        int version,
        Instant occurredAt,
        String sandboxId,
        String ownerId,
        String workerId,
        String phase,
        String detail,
        long bytesDone,
        long bytesTotal,
        boolean build) implements StacyvmEvent {

    public static final String TYPE = "sandbox.progress";
    public static final int CURRENT_VERSION = 1;

    public static SandboxProgress of(String sandboxId, String ownerId, String workerId, String phase, String detail,
                                     long bytesDone, long bytesTotal, boolean build) {
        return new SandboxProgress(UUID.randomUUID(), TYPE, CURRENT_VERSION, Instant.now(), sandboxId, ownerId,
                workerId, phase, detail, bytesDone, bytesTotal, build);
    }

    @Override
    public String topic() {
        return Topics.SANDBOX_EVENTS;
    }
}
