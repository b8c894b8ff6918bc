package dev.stacyvm.worker.health;

import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.provider.SandboxProviders;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while every sandbox provider this worker runs answers (the Docker engine for
 * {@code docker}); the response's data names each with whether it answered.
 */
@Readiness
@ApplicationScoped
public class SandboxProvidersCheck implements HealthCheck {

    @Inject
    SandboxProviders providers;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("sandbox providers");
        boolean all = true;
        for (SandboxProvider provider : providers.enabled()) {
            boolean healthy = provider.healthy();
            response.withData(provider.name(), healthy);
            all &= healthy;
        }
        return response.status(all).build();
    }
}
