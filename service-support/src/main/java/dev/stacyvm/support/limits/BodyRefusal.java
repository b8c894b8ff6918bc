package dev.stacyvm.support.limits;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.ApiError;
import dev.stacyvm.contract.api.ErrorCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Answers a request whose body broke a limit while it was being read: the typed error in the
 * API's JSON shape, then the connection is closed so that the client cannot go on sending what no
 * one will read. The code reading the body sees an {@link IOException} and ends; its own answer,
 * if it tries one, finds the response already written.
 */
final class BodyRefusal {

    private final RoutingContext routing;
    private final ObjectMapper json;
    private final AtomicReference<ApiError> refusal = new AtomicReference<>();

    BodyRefusal(RoutingContext routing, ObjectMapper json) {
        this.routing = routing;
        this.json = json;
    }

    void payloadTooLarge(long limit) {
        refuse(ApiError.of(ErrorCode.PAYLOAD_TOO_LARGE,
                "the request body is larger than this route's limit of " + limit + " bytes"));
    }

    void idle(long idleMillis) {
        refuse(ApiError.of(ErrorCode.REQUEST_TIMEOUT,
                "the request body sent nothing for " + idleMillis + " ms; the request was ended"));
    }

    /** The error the request was answered with, or null while it was not refused. */
    ApiError error() {
        return refusal.get();
    }

    boolean refused() {
        return refusal.get() != null;
    }

    void throwIfRefused() throws IOException {
        ApiError error = refusal.get();
        if (error != null) {
            throw new IOException("request body refused: " + error.code());
        }
    }

    private void refuse(ApiError error) {
        if (!refusal.compareAndSet(null, error)) {
            return;
        }
        // answered at once, from this thread (Vert.x responses may be written from any thread),
        // so that it is written before whatever the route makes of the failed read
        answer(error);
    }

    private void answer(ApiError error) {
        HttpServerResponse response = routing.response();
        if (response.ended() || response.closed() || response.headWritten()) {
            EarlyAnswers.cutOff(routing);
            return;
        }
        byte[] body;
        try {
            body = json.writeValueAsBytes(error);
        } catch (JsonProcessingException e) {
            body = ("{\"code\":\"" + error.code() + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        response.setStatusCode(error.status()).putHeader("Content-Type", "application/json");
        EarlyAnswers.stopReading(routing);
        response.end(Buffer.buffer(body)).onComplete(ended -> {
            if (!EarlyAnswers.http2(routing)) {
                routing.request().connection().close();
            }
        });
    }
}
