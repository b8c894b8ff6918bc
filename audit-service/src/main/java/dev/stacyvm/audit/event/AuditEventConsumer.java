package dev.stacyvm.audit.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.audit.service.AuditLog;
import dev.stacyvm.contract.event.SandboxProgress;
import dev.stacyvm.contract.event.StacyvmEvent;
import io.quarkus.logging.Log;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Reads the sandbox and audit topics into the audit log. A message that is not a known event is
 * refused, and the channel's dead-letter strategy moves it aside so it never blocks the partition.
 */
@ApplicationScoped
public class AuditEventConsumer {

    @Inject
    dev.stacyvm.audit.service.AuditMetrics metrics;

    @Inject
    ObjectMapper objectMapper;

    @Inject
    AuditLog auditLog;

    @Incoming("sandbox-events")
    @Blocking
    public void sandboxEvent(String payload) {
        record(payload);
    }

    @Incoming("audit-events")
    @Blocking
    public void auditEvent(String payload) {
        record(payload);
    }

    private void record(String payload) {
        StacyvmEvent event;
        try {
            event = objectMapper.readValue(payload, StacyvmEvent.class);
        } catch (JsonProcessingException e) {
            Log.warnf("refusing a message that is not a StacyVM event: %s", e.getOriginalMessage());
            throw new IllegalArgumentException("not a StacyVM event: " + e.getOriginalMessage());
        }
        if (event instanceof SandboxProgress) {
            return; // how far a create has come is news, not an audit fact
        }
        if (event.eventId() == null || event.occurredAt() == null) {
            throw new IllegalArgumentException("event without event_id or occurred_at");
        }
        if (auditLog.append(event, payload)) {
            // append's own transaction has committed: the record is in the chain
            metrics.appended(event.type());
        }
    }
}
