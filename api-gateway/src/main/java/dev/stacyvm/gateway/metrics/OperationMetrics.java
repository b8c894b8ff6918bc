package dev.stacyvm.gateway.metrics;

import dev.stacyvm.contract.api.ApiException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The gateway's {@code stacyvm_*} Prometheus series for what callers do (docs/observability.md):
 * {@code stacyvm_sandbox_creates_seconds} and {@code stacyvm_execs_seconds}, histograms of how long
 * each took, by {@code outcome}. A create's outcome is {@code created} or the error code it was
 * refused with ({@code capacity_exhausted}, {@code image_not_allowed}, ...); an exec's is
 * {@code exited} (whatever its status), {@code timed_out}, or the error code. Error codes are a
 * closed set, so the label stays small.
 */
@ApplicationScoped
public class OperationMetrics {

    /** Bucket bounds: a warm create takes a fraction of a second, a cold pull or a long exec minutes. */
    private static final Duration[] BUCKETS = {Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(300)};

    @Inject
    MeterRegistry registry;

    /** Runs a create, recording how long it took and how it ended. */
    public <T> T create(Supplier<T> create) {
        return timed("stacyvm.sandbox.creates", "sandbox creates, by outcome", create, result -> "created");
    }

    /** Runs a (whole, not streamed) exec, recording how long it took and how it ended. */
    public <T> T exec(Supplier<T> exec, java.util.function.Predicate<T> timedOut) {
        return timed("stacyvm.execs", "execs, by outcome", exec, result -> timedOut.test(result) ? "timed_out" : "exited");
    }

    /** Records a streamed exec that ended after {@code took}: exited, timed out, or {@code failure}. */
    public void execStream(Duration took, Boolean timedOut, String failure) {
        String outcome = failure != null ? failure : Boolean.TRUE.equals(timedOut) ? "timed_out" : "exited";
        timer("stacyvm.execs", "execs, by outcome", outcome).record(took);
    }

    private <T> T timed(String name, String description, Supplier<T> operation, java.util.function.Function<T, String> outcome) {
        long started = System.nanoTime();
        String result = "error";
        try {
            T answer = operation.get();
            result = outcome.apply(answer);
            return answer;
        } catch (ApiException refused) {
            result = refused.code().wireName();
            throw refused;
        } finally {
            timer(name, description, result).record(Duration.ofNanos(System.nanoTime() - started));
        }
    }

    private Timer timer(String name, String description, String outcome) {
        return Timer.builder(name).description(description).tag("outcome", outcome)
                .serviceLevelObjectives(BUCKETS).register(registry);
    }
}
