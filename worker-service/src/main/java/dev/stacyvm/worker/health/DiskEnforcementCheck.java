package dev.stacyvm.worker.health;

import dev.stacyvm.worker.provider.docker.DiskEnforcement;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while disk enforcement is required and the engine cannot limit a container's disk;
 * the data says whether sizes are enforced, and why.
 */
@Readiness
@ApplicationScoped
public class DiskEnforcementCheck implements HealthCheck {

    @Inject
    DiskEnforcement disk;

    @Override
    public HealthCheckResponse call() {
        DiskEnforcement.Verdict verdict = disk.verdict();
        return HealthCheckResponse.named("sandbox disk limits")
                .status(verdict.enforced() || !disk.required())
                .withData("enforced", verdict.enforced())
                .withData("required", disk.required())
                .withData("reason", verdict.reason())
                .build();
    }
}
