package dev.stacyvm.worker.provider;

import dev.stacyvm.contract.internal.RuntimeHandle;
import dev.stacyvm.contract.internal.RuntimeSpec;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import jakarta.annotation.Priority;
import jakarta.decorator.Decorator;
import jakarta.decorator.Delegate;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.util.function.Supplier;

/**
 * A span around the two calls of a sandbox provider that a user's request waits on, a create and
 * an exec ({@code docker create}, {@code docker exec} for the Docker provider), so a trace shows
 * how much of a request the runtime technology took. The engine's client is not instrumented, and
 * a decorator covers every provider without touching one; the other calls pass through untraced.
 */
@Decorator
@Priority(10)
public abstract class TracedSandboxProvider implements SandboxProvider {

    static final String SANDBOX_ID = "stacyvm.sandbox.id";
    static final String PROVIDER = "stacyvm.provider";

    @Inject
    @Delegate
    @Any
    SandboxProvider provider;

    @Inject
    Tracer tracer;

    @Override
    public RuntimeHandle create(RuntimeSpec spec, String workerId) {
        return traced("create", spec.sandboxId(), () -> provider.create(spec, workerId));
    }

    @Override
    public ExecOutcome exec(String sandboxId, ExecCommand command, ExecOutputSink sink) {
        return traced("exec", sandboxId, () -> provider.exec(sandboxId, command, sink));
    }

    private <T> T traced(String operation, String sandboxId, Supplier<T> call) {
        Span span = tracer.spanBuilder(provider.name() + " " + operation)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(PROVIDER, provider.name())
                .setAttribute(SANDBOX_ID, sandboxId)
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return call.get();
        } catch (RuntimeException | Error failure) {
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
            throw failure;
        } finally {
            span.end();
        }
    }
}
