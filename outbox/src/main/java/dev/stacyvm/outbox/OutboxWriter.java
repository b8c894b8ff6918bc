package dev.stacyvm.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.event.StacyvmEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;

/**
 * Appends an event to the outbox inside the caller's transaction, so the event exists exactly
 * when the change it reports was committed.
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
        message.persist();
        appended.fire(new OutboxAppended());
    }

    /** Fired in the appending transaction; the relay observes it after commit to publish at once. */
    public record OutboxAppended() {
    }
}
