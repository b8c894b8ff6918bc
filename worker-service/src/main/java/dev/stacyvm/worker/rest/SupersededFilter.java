package dev.stacyvm.worker.rest;

import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.support.error.ErrorResponses;
import dev.stacyvm.worker.service.SchedulerHeartbeat;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** A superseded worker process refuses every internal call: only the newest instance manages runtimes. */
public class SupersededFilter {

    // looked up per request: filters are built at static init
    @Inject
    Instance<SchedulerHeartbeat> heartbeat;

    @ServerRequestFilter(preMatching = true)
    public Response refuseWhenSuperseded(RoutingContext routing) {
        if (routing.normalizedPath().startsWith("/internal/") && heartbeat.get().superseded()) {
            return ErrorResponses.of(ErrorCode.CONFLICT, "this worker process was superseded by a newer one with the same id");
        }
        return null;
    }
}
