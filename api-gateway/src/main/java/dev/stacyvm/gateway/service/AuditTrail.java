package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.contract.event.AuditEvent;
import dev.stacyvm.gateway.auth.CallerContext;
import dev.stacyvm.outbox.OutboxWriter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/** Records what callers did as {@code audit.recorded} events, through the gateway's outbox. */
@ApplicationScoped
public class AuditTrail {

    static final int MAX_DETAIL = 256;

    @Inject
    OutboxWriter outbox;

    @Inject
    CallerContext context;

    /**
     * Who made the current request, kept for recording after the request scope is gone (streams),
     * with the trace the request runs in (null outside one).
     */
    public record Origin(String actor, String requestId, String sourceAddress, String traceId) {

        /** An origin in the trace current on this thread: the request's, where a request is being served. */
        public Origin(String actor, String requestId, String sourceAddress) {
            this(actor, requestId, sourceAddress, currentTraceId());
        }
    }

    /** The trace id of the span current on this thread, or null when there is none. */
    static String currentTraceId() {
        SpanContext span = Span.current().getSpanContext();
        return span.isValid() ? span.getTraceId() : null;
    }

    public Origin origin() {
        return new Origin(context.caller().actor(), context.requestId(), context.sourceAddress());
    }

    public void record(String action, String sandboxId, String ownerId, String workerId, String outcome, String detail) {
        record(origin(), action, sandboxId, ownerId, workerId, outcome, detail);
    }

    public void record(Origin origin, String action, String sandboxId, String ownerId, String workerId, String outcome,
                       String detail) {
        append(origin, action, sandboxId, ownerId, workerId, sandboxId, outcome, detail);
    }

    /**
     * Runs an operation and records its audit event with the outcome: {@code success},
     * {@code denied} (a limit or a refusal of rights) or {@code failure}, then answers or rethrows.
     */
    public <T> T around(String action, SandboxView sandbox, String ownerId, Supplier<T> operation,
                        Function<T, String> detail) {
        String sandboxId = sandbox == null ? null : sandbox.id();
        String workerId = sandbox == null ? null : sandbox.workerId();
        T result;
        try {
            result = operation.get();
        } catch (ApiException refused) {
            // a limit or any refusal of rights (forbidden, a policy's refusal) was denied, not failed
            String outcome = refused.code() == ErrorCode.RESOURCE_LIMIT || refused.code().httpStatus() == 403
                    ? AuditEvent.DENIED : AuditEvent.FAILURE;
            record(action, sandboxId, ownerId, workerId, outcome, refused.code().wireName() + ": " + refused.getMessage());
            throw refused;
        } catch (RuntimeException failed) {
            record(action, sandboxId, ownerId, workerId, AuditEvent.FAILURE, "internal error");
            throw failed;
        }
        if (result instanceof SandboxView created) {
            sandboxId = created.id();
            workerId = created.workerId();
        }
        record(action, sandboxId, ownerId, workerId, AuditEvent.SUCCESS, detail.apply(result));
        return result;
    }

    /** An event whose target is not (only) a sandbox, e.g. a template; {@code origin} is who asked. */
    public void recordTarget(Origin origin, String action, String sandboxId, String ownerId, String target,
                             String outcome, String detail) {
        append(origin, action, sandboxId, ownerId, null, target, outcome, detail);
    }

    /** A request refused before it reached any operation: no key, a bad key, or a key without the right. */
    public void recordDenied(Origin origin, String method, String path, String reason) {
        append(origin, "auth.denied", null, null, null, truncate(path), AuditEvent.DENIED, method + " " + path + ": " + reason);
    }

    private void append(Origin origin, String action, String sandboxId, String ownerId, String workerId, String target,
                        String outcome, String detail) {
        AuditEvent event = new AuditEvent(UUID.randomUUID(), AuditEvent.TYPE, AuditEvent.CURRENT_VERSION,
                Instant.now(), sandboxId, ownerId, workerId, origin.actor(), action, target, outcome,
                origin.requestId(), origin.sourceAddress(), truncate(detail), origin.traceId());
        QuarkusTransaction.requiringNew().run(() -> outbox.append(event));
    }

    static String truncate(String detail) {
        if (detail == null || detail.length() <= MAX_DETAIL) {
            return detail;
        }
        return detail.substring(0, MAX_DETAIL - 1) + "…";
    }
}
