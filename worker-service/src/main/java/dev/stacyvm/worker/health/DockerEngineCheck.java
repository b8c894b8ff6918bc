package dev.stacyvm.worker.health;

import dev.stacyvm.worker.provider.SandboxProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the sandbox provider's engine answers. */
@Readiness
@ApplicationScoped
public class DockerEngineCheck implements HealthCheck {

    @Inject
    SandboxProvider provider;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("sandbox provider " + provider.name()).status(provider.healthy()).build();
    }
}
