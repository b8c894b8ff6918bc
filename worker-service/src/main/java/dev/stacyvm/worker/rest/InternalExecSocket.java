package dev.stacyvm.worker.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.support.auth.ServiceCredential;
import dev.stacyvm.support.error.RoutingErrors;
import dev.stacyvm.worker.service.RuntimeService;
import dev.stacyvm.worker.service.SchedulerHeartbeat;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * {@code GET /internal/sandboxes/{id}/exec/ws}: the worker's end of an exec WebSocket, which the
 * gateway opens for a client's {@code /api/v1/sandboxes/{id}/exec/ws} once it has authorised it
 * and bounded the request. Service-token only, checked before the upgrade (a Vert.x route: the
 * JAX-RS filters do not run here, so the same checks are made explicitly). The conversation is
 * the public one ({@link dev.stacyvm.contract.api.ExecSocketFrame}); {@link ExecSocketSession}
 * holds it.
 */
@ApplicationScoped
public class InternalExecSocket {

    /** The route, in Vert.x's path syntax. */
    static final String PATH = "/internal/sandboxes/:id/exec/ws";

    @Inject
    RuntimeService runtimes;

    @Inject
    ServiceCredential credentials;

    @Inject
    SchedulerHeartbeat heartbeat;

    @Inject
    ObjectMapper json;

    void install(@Observes Router router) {
        router.get(PATH).handler(this::upgrade);
    }

    void upgrade(RoutingContext context) {
        if (!credentials.isServiceToken(context.request().getHeader(ServiceCredential.HEADER))) {
            refuse(context, ErrorCode.UNAUTHORIZED, "internal route: service token missing or wrong");
            return;
        }
        if (heartbeat.superseded()) {
            refuse(context, ErrorCode.CONFLICT, "this worker process was superseded by a newer one with the same id");
            return;
        }
        String sandboxId = context.pathParam("id");
        context.request().toWebSocket().onSuccess(socket -> new ExecSocketSession(socket, sandboxId, runtimes, json).start())
                .onFailure(failed -> {
                    if (!context.response().ended()) {
                        refuse(context, ErrorCode.BAD_REQUEST, "not a WebSocket upgrade: " + failed.getMessage());
                    }
                });
    }

    private void refuse(RoutingContext context, ErrorCode code, String message) {
        RoutingErrors.send(context, json, code, message, null);
    }
}
