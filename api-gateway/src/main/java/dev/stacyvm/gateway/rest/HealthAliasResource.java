package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.time.GoDuration;
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

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown")
    String version;

    /**
     * StacyVM's health answer, {@code {"status": "ok", "version", "uptime"}} (its SDKs compare
     * {@code status} with {@code "ok"}), with the checks behind it; {@code 503} and
     * {@code "status": "down"} when one fails.
     */
    @GET
    @Path("/health")
    @Produces(MediaType.APPLICATION_JSON)
    public Response health() {
        SmallRyeHealth report = health.getHealth();
        jakarta.json.JsonObject checks = report.getPayload();
        jakarta.json.JsonObject body = jakarta.json.Json.createObjectBuilder()
                .add("status", report.isDown() ? "down" : "ok")
                .add("version", version)
                .add("uptime", GoDuration.format(java.time.Duration.ofMillis(
                        java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime()).withNanos(0)))
                .add("checks", checks.getJsonArray("checks"))
                .build();
        return Response.status(report.isDown() ? 503 : 200).entity(body.toString()).type(MediaType.APPLICATION_JSON).build();
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
