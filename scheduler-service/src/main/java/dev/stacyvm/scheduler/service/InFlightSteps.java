package dev.stacyvm.scheduler.service;

import dev.stacyvm.contract.api.SandboxState;
import dev.stacyvm.scheduler.Sandbox;
import dev.stacyvm.scheduler.config.SchedulerConfig;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a step this scheduler is still carrying out from looking abandoned. The reconciler undoes
 * a sandbox left {@code creating} for longer than {@link SchedulerConfig#transitionTimeout()} (its
 * scheduler died mid-way); a create whose worker is merely slow (a busy host) must not be undone
 * under it. While the worker call runs, the record's {@code updatedAt} is renewed every third of
 * the timeout, without touching its version (the step's own transition follows). Should this
 * scheduler die, the renewals stop and the step is finished as before, one timeout later.
 */
@ApplicationScoped
public class InFlightSteps {

    @Inject
    SchedulerConfig config;

    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("in-flight-steps").daemon().factory());

    /** Renews the sandbox's record while it stays in {@code state}, until the answer is closed. */
    public AutoCloseable renew(String sandboxId, SandboxState state) {
        long period = Math.max(200, config.transitionTimeout().toMillis() / 3);
        ScheduledFuture<?> renewal = renewer.scheduleAtFixedRate(() -> touch(sandboxId, state), period, period,
                TimeUnit.MILLISECONDS);
        return () -> renewal.cancel(false);
    }

    private static void touch(String sandboxId, SandboxState state) {
        try {
            QuarkusTransaction.requiringNew().run(() -> Sandbox.update("updatedAt = ?1 where id = ?2 and state = ?3",
                    Instant.now(), sandboxId, state));
        } catch (RuntimeException e) {
            Log.debugf("could not renew %s: %s", sandboxId, e.getMessage());
        }
    }

    @PreDestroy
    void stop() {
        renewer.shutdownNow();
    }
}
