package dev.stacyvm.gateway.rest;

import dev.stacyvm.gateway.auth.Access;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * StacyVM's health and metrics routes, answered from the same checks and registry as Quarkus's
 * {@code /q/health} and {@code /q/metrics}; open without a key, like those.
 */
@Access(Access.Level.OPEN)
@Path("/api/v1")
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "operations")
public class HealthAliasResource {

    @Inject
    SmallRyeHealthReporter health;

    @Inject
    PrometheusMeterRegistry prometheus;

    @GET
    @Path("/health")
    @Produces(MediaType.APPLICATION_JSON)
    public Response health() {
        return answer(health.getHealth());
    }

    @GET
    @Path("/live")
    @Produces(MediaType.APPLICATION_JSON)
    public Response live() {
        return answer(health.getLiveness());
    }

    @GET
    @Path("/ready")
    @Produces(MediaType.APPLICATION_JSON)
    public Response ready() {
        return answer(health.getReadiness());
    }

    @GET
    @Path("/metrics/prometheus")
    @Produces("text/plain; version=0.0.4; charset=utf-8")
    public String metrics() {
        return prometheus.scrape();
    }

    private static Response answer(SmallRyeHealth report) {
        return Response.status(report.isDown() ? 503 : 200).entity(report.getPayload().toString())
                .type(MediaType.APPLICATION_JSON).build();
    }
}
