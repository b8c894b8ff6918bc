package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.event.AuditEvent;
import dev.stacyvm.gateway.auth.CallerContext;
import dev.stacyvm.outbox.OutboxWriter;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.UUID;

/** Records what callers did as {@code audit.recorded} events, through the gateway's outbox. */
@ApplicationScoped
public class AuditTrail {

    static final int MAX_DETAIL = 256;

    @Inject
    OutboxWriter outbox;

    @Inject
    CallerContext context;

    /** Who made the current request, kept for recording after the request scope is gone (streams). */
    public record Origin(String actor, String requestId, String sourceAddress) {
    }

    public Origin origin() {
        return new Origin(context.caller().actor(), context.requestId(), context.sourceAddress());
    }

    public void record(String action, String sandboxId, String ownerId, String workerId, String outcome, String detail) {
        record(origin(), action, sandboxId, ownerId, workerId, outcome, detail);
    }

    public void record(Origin origin, String action, String sandboxId, String ownerId, String workerId, String outcome,
                       String detail) {
        AuditEvent event = new AuditEvent(UUID.randomUUID(), AuditEvent.TYPE, AuditEvent.CURRENT_VERSION,
                Instant.now(), sandboxId, ownerId, workerId, origin.actor(), action, sandboxId, outcome,
                origin.requestId(), origin.sourceAddress(), truncate(detail));
        QuarkusTransaction.requiringNew().run(() -> outbox.append(event));
    }

    static String truncate(String detail) {
        if (detail == null || detail.length() <= MAX_DETAIL) {
            return detail;
        }
        return detail.substring(0, MAX_DETAIL - 1) + "…";
    }
}
