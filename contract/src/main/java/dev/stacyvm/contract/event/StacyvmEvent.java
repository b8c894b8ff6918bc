package dev.stacyvm.contract.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.UUID;

/**
 * What every event on StacyVM's Kafka topics carries. {@code event_id} is the idempotency key
 * consumers deduplicate by; {@code type} is dotted and selects the record; {@code version} is the
 * shape's version for that type.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "type", visible = true)
@JsonSubTypes({
    @JsonSubTypes.Type(value = SandboxStateChanged.class, name = SandboxStateChanged.TYPE),
    @JsonSubTypes.Type(value = AuditEvent.class, name = AuditEvent.TYPE),
    @JsonSubTypes.Type(value = SandboxProgress.class, name = SandboxProgress.TYPE),
})
public sealed interface StacyvmEvent permits SandboxStateChanged, AuditEvent, SandboxProgress {

    UUID eventId();

    String type();

    int version();

    Instant occurredAt();

    String sandboxId();

    String ownerId();

    String workerId();

    /** The Kafka topic this event is published on. */
    String topic();

    /** The Kafka record key: the sandbox id, so that one sandbox's events stay in order. */
    default String key() {
        return sandboxId();
    }
}
