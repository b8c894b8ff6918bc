package dev.stacyvm.gateway.rest;

import dev.stacyvm.gateway.auth.Access;
import dev.stacyvm.gateway.metrics.Diagnostics;
import dev.stacyvm.gateway.metrics.SystemMetrics;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * StacyVM's {@code GET /api/v1/metrics} and {@code GET /api/v1/diagnostics}, for administrators:
 * both show every tenant's figures. The Prometheus exposition stays open beside them
 * ({@link HealthAliasResource}), as {@code /q/metrics} is.
 */
@Access(Access.Level.ADMIN)
@Path("/api/v1")
@Blocking
@Tag(name = "operations")
public class OperationsResource {

    @Inject
    SystemMetrics metrics;

    @Inject
    Diagnostics diagnostics;

    @GET
    @Path("/metrics")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Sandboxes, workers and operations now (JSON)",
            description = "StacyVM's metrics document: uptime; sandboxes (total, active, by_state, by_provider, by_worker) "
                    + "from the scheduler's records; workers (total, ready, and each one's host and what its live "
                    + "sandboxes hold); this gateway's operations (creates and execs by outcome: count, mean_seconds, "
                    + "and max_seconds over the last two minutes) and its open event_streams. Administrators only.")
    public Map<String, Object> metrics() {
        return metrics.snapshot();
    }

    @GET
    @Path("/diagnostics")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "What to check first when something is wrong (JSON)",
            description = "Each dependency tried now, with healthy, latency_ms and its error: database, event_log (Kafka, "
                    + "the sandbox events topic's end offsets), scheduler, audit, providers; every worker with its status "
                    + "and heartbeat_age_seconds; this gateway's outbox backlog (pending, lag_seconds), open event streams "
                    + "and its last 50 warnings and errors. A failing part never fails the answer; nothing secret is in "
                    + "it. Administrators only.")
    public Map<String, Object> diagnostics() {
        return diagnostics.report();
    }
}
