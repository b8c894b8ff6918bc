package dev.stacyvm.support.limits;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Ends request bodies that keep a reader waiting for longer than
 * {@code stacyvm.limits.body-idle-timeout}: one daemon thread looks at the bodies being read a few
 * times per timeout. Only time spent waiting for the client counts, not time the service takes to
 * pass what it read on, so a slow sandbox never times a fast client out.
 */
@ApplicationScoped
public class BodyWatchdog {

    private final Set<WatchedBody> bodies = ConcurrentHashMap.newKeySet();
    private volatile ScheduledExecutorService checker;

    @Inject
    RequestLimits limits;

    void watch(WatchedBody body) {
        bodies.add(body);
        started();
    }

    void forget(WatchedBody body) {
        bodies.remove(body);
    }

    /** How many bodies are being watched now (for tests and diagnostics). */
    public int watching() {
        return bodies.size();
    }

    private void started() {
        if (checker != null) {
            return;
        }
        synchronized (this) {
            if (checker == null) {
                long period = Math.max(50, limits.bodyIdleTimeout().toMillis() / 4);
                ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "stacyvm-body-watchdog");
                    thread.setDaemon(true);
                    return thread;
                });
                executor.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
                checker = executor;
            }
        }
    }

    private void check() {
        long idleNanos = limits.bodyIdleTimeout().toNanos();
        long now = System.nanoTime();
        for (WatchedBody body : bodies) {
            if (body.waitingNanos(now) > idleNanos) {
                bodies.remove(body);
                body.timeOut(limits.bodyIdleTimeout().toMillis());
            }
        }
    }

    void stop(@Observes ShutdownEvent shutdown) {
        ScheduledExecutorService executor = checker;
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
