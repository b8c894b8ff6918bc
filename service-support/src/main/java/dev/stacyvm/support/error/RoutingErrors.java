package dev.stacyvm.support.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.ApiError;
import dev.stacyvm.contract.api.ErrorCode;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * The typed error answer ({@link ApiError}, the code's status) for routes served by Vert.x
 * directly rather than JAX-RS, such as WebSocket upgrades, which refuse before upgrading.
 */
public final class RoutingErrors {

    private RoutingErrors() {
    }

    /**
     * Ends the response with the code's status and typed body, and {@code Retry-After} (seconds)
     * when {@code retryAfterSeconds} is not null; a response already ended is left alone.
     */
    public static void send(RoutingContext context, ObjectMapper json, ErrorCode code, String message, Long retryAfterSeconds) {
        HttpServerResponse response = context.response();
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(code.httpStatus()).putHeader("Content-Type", "application/json");
        if (retryAfterSeconds != null) {
            response.putHeader("Retry-After", Long.toString(retryAfterSeconds));
        }
        try {
            response.end(json.writeValueAsString(ApiError.of(code, message)));
        } catch (JsonProcessingException e) {
            response.end();
        }
    }
}
