package dev.stacyvm.scheduler.service;

import dev.stacyvm.contract.api.SandboxState;
import dev.stacyvm.scheduler.Sandbox;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;

/**
 * Moves sandboxes past their {@code expires_at} to {@code expired} and destroys them; a sandbox
 * in {@code error} is destroyed when its TTL runs out too, so failed sandboxes do not pile up.
 */
@ApplicationScoped
public class SandboxExpiry {

    @Inject
    SandboxTransitions transitions;

    @Inject
    SandboxLifecycle lifecycle;

    @Inject
    SchedulerLeases leases;

    @Scheduled(every = "${stacyvm.scheduler.expiry-interval:2s}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void expireDue() {
        if (!leases.acquire(SchedulerLeases.MAINTENANCE)) {
            return;
        }
        List<Sandbox> due = QuarkusTransaction.requiringNew().call(() -> Sandbox.<Sandbox>list(
                        "state in ?1 and expiresAt <= ?2",
                        List.of(SandboxState.RUNNING, SandboxState.UNHEALTHY, SandboxState.ERROR), Instant.now())
                .stream().toList());
        for (Sandbox sandbox : due) {
            String id = sandbox.id;
            try {
                if (sandbox.state != SandboxState.ERROR) {
                    transitions.move(id, SandboxState.EXPIRED, "ttl");
                }
                lifecycle.destroy(id, "ttl");
            } catch (RuntimeException e) {
                Log.warnf("expiring sandbox %s failed, will retry: %s", id, e.getMessage());
            }
        }
    }
}
