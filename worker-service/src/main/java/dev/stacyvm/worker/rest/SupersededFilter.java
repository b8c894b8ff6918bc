package dev.stacyvm.worker.rest;

import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.support.error.ErrorResponses;
import dev.stacyvm.worker.service.SchedulerHeartbeat;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A superseded worker process refuses every call to its resources (all of them internal), however
 * the path is spelled: the filter runs on the matched route, after the caller is authenticated.
 * Only the newest instance manages runtimes.
 */
public class SupersededFilter {

    // looked up per request: filters are built at static init
    @Inject
    Instance<SchedulerHeartbeat> heartbeat;

    @ServerRequestFilter(priority = Priorities.AUTHORIZATION)
    public Response refuseWhenSuperseded() {
        if (heartbeat.get().superseded()) {
            return ErrorResponses.of(ErrorCode.CONFLICT, "this worker process was superseded by a newer one with the same id");
        }
        return null;
    }
}
