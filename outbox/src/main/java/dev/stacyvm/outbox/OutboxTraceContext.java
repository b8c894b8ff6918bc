package dev.stacyvm.outbox;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.smallrye.reactive.messaging.TracingMetadata;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * The trace context of an outbox message. The relay publishes on its own thread, after the commit
 * and sometimes after a restart, where the writer's context is gone: so the writer stores it with
 * the row as a W3C {@code traceparent}, and the relay hands it to the Kafka connector as the
 * message's {@link TracingMetadata}, which the connector's producer span and the record's
 * {@code traceparent} header are made from.
 */
public final class OutboxTraceContext {

    private static final String TRACEPARENT = "traceparent";

    private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private OutboxTraceContext() {
    }

    /** The current span's context as a W3C {@code traceparent}, or null when no valid span is current. */
    public static String current() {
        if (!Span.current().getSpanContext().isValid()) {
            return null;
        }
        String[] traceparent = new String[1];
        W3CTraceContextPropagator.getInstance().inject(Context.current(), traceparent,
                (carrier, key, value) -> {
                    if (TRACEPARENT.equals(key)) {
                        carrier[0] = value;
                    }
                });
        return traceparent[0];
    }

    /**
     * {@code message} with the stored context as its tracing metadata; unchanged when none was
     * stored (a row from before, or written outside a trace), so the connector starts a trace of
     * its own as it did.
     */
    public static <T> Message<T> restore(Message<T> message, String traceparent) {
        Context context = context(traceparent);
        return context == null ? message : message.addMetadata(TracingMetadata.withCurrent(context));
    }

    /** The context a stored {@code traceparent} names, or null when it names none. */
    static Context context(String traceparent) {
        if (traceparent == null || traceparent.isBlank()) {
            return null;
        }
        Context context = W3CTraceContextPropagator.getInstance()
                .extract(Context.root(), Map.of(TRACEPARENT, traceparent), MAP_GETTER);
        return Span.fromContext(context).getSpanContext().isValid() ? context : null;
    }
}
