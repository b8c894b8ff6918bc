package dev.stacyvm.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.event.StacyvmEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.UUID;

/**
 * Appends an event to the outbox inside the caller's transaction, so the event exists exactly
 * when the change it reports was committed. Each message keeps the trace context it was written
 * in ({@link OutboxTraceContext}), which the relay publishes it with.
 */
@ApplicationScoped
public class OutboxWriter {

    @Inject
    ObjectMapper objectMapper;

    @Inject
    Event<OutboxAppended> appended;

    @Transactional(Transactional.TxType.MANDATORY)
    public void append(StacyvmEvent event) {
        OutboxMessage message = new OutboxMessage();
        message.eventId = event.eventId();
        message.topic = event.topic();
        message.messageKey = event.key();
        try {
            message.payload = objectMapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event cannot be serialised: " + event.type(), e);
        }
        message.createdAt = Instant.now();
        message.traceparent = OutboxTraceContext.current();
        message.persist();
        appended.fire(new OutboxAppended());
    }

    /**
     * Appends a keyed record of state (not an event) for a compacted topic: {@code value} as JSON,
     * or a tombstone when it is {@code null}, which removes the key once the topic is compacted.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void appendState(String topic, String key, Object value) {
        OutboxMessage message = new OutboxMessage();
        message.eventId = UUID.randomUUID();
        message.topic = topic;
        message.messageKey = key;
        try {
            message.payload = value == null ? null : objectMapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("state cannot be serialised for " + topic, e);
        }
        message.createdAt = Instant.now();
        message.traceparent = OutboxTraceContext.current();
        message.persist();
        appended.fire(new OutboxAppended());
    }

    /** Fired in the appending transaction; the relay observes it after commit to publish at once. */
    public record OutboxAppended() {
    }
}
