package dev.stacyvm.worker.health;

import dev.stacyvm.worker.service.SchedulerHeartbeat;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the scheduler has accepted this worker, so it can be given sandboxes. */
@Readiness
@ApplicationScoped
public class SchedulerRegistrationCheck implements HealthCheck {

    @Inject
    SchedulerHeartbeat heartbeat;

    @Override
    public HealthCheckResponse call() {
        var builder = HealthCheckResponse.named("registered with scheduler")
                .status(heartbeat.lastAccepted() != null && !heartbeat.superseded());
        if (heartbeat.superseded()) {
            builder.withData("superseded", "a newer process took this worker over");
        }
        if (heartbeat.lastAccepted() != null) {
            builder.withData("last_heartbeat", heartbeat.lastAccepted().toString());
        }
        return builder.build();
    }
}
