package dev.stacyvm.support.limits;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.support.error.ErrorResponses;
import io.vertx.core.Context;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Arrays;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.core.CurrentRequestManager;
import org.jboss.resteasy.reactive.server.spi.ServerHttpRequest;

/**
 * Bounds every request body of every route of the service, on the route that actually matched:
 * a route whose method takes the body as an {@link InputStream}, or relays it on the event loop
 * ({@link RelaysBody}, {@link RelayedRequestBody}), streams it and gets
 * {@code stacyvm.limits.max-stream-body-bytes}; every other route (JSON, read whole) gets
 * {@code max-json-body-bytes}. A declared {@code Content-Length} past the limit is refused before
 * anything is read; otherwise the body is handed to the route through a {@link BoundedRequestBody},
 * which counts what arrives (chunked bodies included) and stops at the limit, and is watched for
 * idleness by the {@link BodyWatchdog}. Refusals are {@code 413 payload_too_large} and
 * {@code 408 request_timeout} in the API's error shape.
 *
 * <p>The counting stream goes in before routing, so before the framework could buffer anything;
 * a JSON body is read whole only after authentication (and the gateway's upload slots), so that
 * no unauthenticated caller can make a service hold one.
 */
public class RequestBodyLimitFilter {

    private static final String BOUNDED_BODY = "stacyvm.bounded-request-body";

    // looked up per request: filters are built at static init, before runtime config exists
    @Inject
    Instance<RequestLimits> limits;

    @Inject
    Instance<BodyWatchdog> watchdog;

    @Inject
    Instance<ObjectMapper> json;

    /**
     * Before routing, so before the framework reads or buffers anything: refuses a declared length
     * past the largest limit and puts the counting stream in place, at the streamed limit.
     */
    @ServerRequestFilter(preMatching = true, priority = Priorities.AUTHENTICATION - 500)
    public Response boundBody(ContainerRequestContext request, RoutingContext routing) {
        String length = request.getHeaderString("Content-Length");
        String transferEncoding = request.getHeaderString("Transfer-Encoding");
        // HTTP/1.1 has a body only with one of the two headers; HTTP/2 may send one with neither
        boolean bodiless = "0".equals(length) || (length == null && transferEncoding == null
                && routing.request().version() != HttpVersion.HTTP_2);
        if (bodiless) {
            return null;
        }
        long limit = limits.get().maxStreamBodyBytes();
        if (declaredPast(length, limit)) {
            return tooLarge(routing, limit);
        }
        BodyWatchdog watcher = watchdog.get();
        BoundedRequestBody[] bounded = new BoundedRequestBody[1];
        // the framework's stream is made at the first read: making it starts reading the request,
        // which a route that relays its body must still find untouched
        ServerHttpRequest framework = CurrentRequestManager.get().serverRequest();
        bounded[0] = new BoundedRequestBody(framework::createInputStream, limit,
                new BodyRefusal(routing, json.get()), () -> watcher.forget(bounded[0]));
        watcher.watch(bounded[0]);
        routing.addEndHandler(ended -> watcher.forget(bounded[0]));
        routing.put(BOUNDED_BODY, bounded[0]);
        request.setEntityStream(bounded[0]);
        return null;
    }

    /**
     * Once the route is known, a route that reads its body whole (JSON) gets the JSON limit, and
     * its body is read here, up to that limit, so that what follows the JSON value counts too and
     * a body past the limit is answered 413 whatever the route would have made of it. On the
     * event loop (a non-blocking route) nothing may wait, so there the limit only applies to
     * what the route reads.
     */
    @ServerRequestFilter(priority = Priorities.USER + 200)
    public Response boundByRoute(ContainerRequestContext request, ResourceInfo resource, RoutingContext routing) {
        BoundedRequestBody bounded = routing.get(BOUNDED_BODY);
        Method method = resource.getResourceMethod();
        if (method != null && method.isAnnotationPresent(RelaysBody.class)) {
            relay(bounded, routing);
            return null;
        }
        if (bounded == null || streamsBody(method)) {
            return null;
        }
        long limit = limits.get().maxJsonBodyBytes();
        if (declaredPast(request.getHeaderString("Content-Length"), limit)) {
            return tooLarge(routing, limit);
        }
        bounded.limitTo(limit);
        if (Context.isOnEventLoopThread()) {
            return null;
        }
        byte[] whole;
        try {
            whole = bounded.readWhole();
        } catch (IOException failed) {
            // already answered when the body was refused (idle); otherwise the client went away
            EarlyAnswers.stopReading(routing);
            return ErrorResponses.of(ErrorCode.REQUEST_TIMEOUT, "the request body could not be read to its end");
        }
        if (whole == null) {
            return tooLarge(routing, limit);
        }
        request.setEntityStream(new ByteArrayInputStream(whole));
        return null;
    }

    /**
     * Hands a relaying route its body as a stream, bounded and watched as the unread stream was; a
     * request without a body ({@code unread} null) gets one that ends at once.
     */
    private void relay(BoundedRequestBody unread, RoutingContext routing) {
        BodyWatchdog watcher = watchdog.get();
        BodyRefusal refusal;
        if (unread != null) {
            watcher.forget(unread);
            refusal = unread.refusal();
        } else {
            refusal = new BodyRefusal(routing, json.get());
        }
        RelayedRequestBody[] relayed = new RelayedRequestBody[1];
        relayed[0] = new RelayedRequestBody(routing, limits.get().maxStreamBodyBytes(), refusal,
                () -> watcher.forget(relayed[0]));
        watcher.watch(relayed[0]);
        routing.addEndHandler(ended -> watcher.forget(relayed[0]));
        routing.put(RelayedRequestBody.KEY, relayed[0]);
        relayed[0].open();
    }

    private static boolean declaredPast(String length, long limit) {
        return length != null && length.matches("\\d{1,25}") && (length.length() > 18 || Long.parseLong(length) > limit);
    }

    private static Response tooLarge(RoutingContext routing, long limit) {
        // nothing of the body will be read: end it rather than drain it
        EarlyAnswers.stopReading(routing);
        return ErrorResponses.of(ErrorCode.PAYLOAD_TOO_LARGE,
                "the request body is larger than this route's limit of " + limit + " bytes");
    }

    /** Whether the route reads its body as a stream rather than whole. */
    static boolean streamsBody(Method method) {
        return method != null && (method.isAnnotationPresent(RelaysBody.class)
                || Arrays.stream(method.getParameterTypes()).anyMatch(InputStream.class::equals));
    }
}
