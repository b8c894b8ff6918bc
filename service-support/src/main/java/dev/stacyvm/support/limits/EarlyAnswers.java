package dev.stacyvm.support.limits;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * Telling a client to stop sending a request body that will not be read, the way each protocol
 * allows: over HTTP/1.x, {@code Connection: close} on the answer and the connection closed after
 * it; over HTTP/2, where connection headers are malformed (RFC 9113, section 8.2.2) and the
 * connection carries other streams, the stream is reset with {@code NO_ERROR} once the answer is
 * complete (RFC 9113, section 8.1).
 */
final class EarlyAnswers {

    private static final long NO_ERROR = 0;
    private static final long CANCEL = 8;

    private EarlyAnswers() {
    }

    /** Whether the request came over HTTP/2. */
    static boolean http2(RoutingContext routing) {
        return routing.request().version() == HttpVersion.HTTP_2;
    }

    /** Has the answer about to be written end the body: called before that answer's head goes out. */
    static void stopReading(RoutingContext routing) {
        HttpServerResponse response = routing.response();
        if (http2(routing)) {
            routing.addEndHandler(answered -> {
                if (answered.succeeded()) {
                    response.reset(NO_ERROR);
                }
            });
        } else if (!response.headWritten()) {
            response.putHeader("Connection", "close");
        }
    }

    /** Ends the exchange at once, with no answer (one is already under way or cannot be given). */
    static void cutOff(RoutingContext routing) {
        if (http2(routing)) {
            routing.response().reset(CANCEL);
        } else {
            routing.request().connection().close();
        }
    }
}
