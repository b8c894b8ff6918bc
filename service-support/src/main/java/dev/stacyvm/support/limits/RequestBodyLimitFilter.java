package dev.stacyvm.support.limits;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.support.error.ErrorResponses;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Arrays;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Bounds every request body of every route of the service, on the route that actually matched:
 * a route whose method takes the body as an {@link InputStream} streams it and gets
 * {@code stacyvm.limits.max-stream-body-bytes}; every other route (JSON, read whole) gets
 * {@code max-json-body-bytes}. A declared {@code Content-Length} past the limit is refused before
 * anything is read; otherwise the body is handed to the route through a {@link BoundedRequestBody},
 * which counts what arrives (chunked bodies included) and stops at the limit, and is watched for
 * idleness by the {@link BodyWatchdog}. Refusals are {@code 413 payload_too_large} and
 * {@code 408 request_timeout} in the API's error shape.
 *
 * <p>It runs before authentication on purpose: no body, authenticated or not, is read past its
 * limit, and the body is replaced before the framework starts buffering it.
 */
public class RequestBodyLimitFilter {

    // looked up per request: filters are built at static init, before runtime config exists
    @Inject
    Instance<RequestLimits> limits;

    @Inject
    Instance<BodyWatchdog> watchdog;

    @Inject
    Instance<ObjectMapper> json;

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION - 500)
    public Response boundBody(ContainerRequestContext request, ResourceInfo resource, RoutingContext routing) {
        String length = request.getHeaderString("Content-Length");
        String transferEncoding = request.getHeaderString("Transfer-Encoding");
        // HTTP/1.1 has a body only with one of the two headers; HTTP/2 may send one with neither
        boolean bodiless = "0".equals(length) || (length == null && transferEncoding == null
                && routing.request().version() != HttpVersion.HTTP_2);
        if (bodiless) {
            return null;
        }
        RequestLimits configured = limits.get();
        long limit = streamsBody(resource.getResourceMethod())
                ? configured.maxStreamBodyBytes() : configured.maxJsonBodyBytes();
        if (length != null && (!length.matches("\\d{1,18}") || Long.parseLong(length) > limit)) {
            routing.response().putHeader("Connection", "close");
            return ErrorResponses.of(ErrorCode.PAYLOAD_TOO_LARGE,
                    "the request body is larger than this route's limit of " + limit + " bytes");
        }
        BodyWatchdog watcher = watchdog.get();
        BoundedRequestBody[] bounded = new BoundedRequestBody[1];
        bounded[0] = new BoundedRequestBody(request.getEntityStream(), limit,
                new BodyRefusal(routing, json.get()), () -> watcher.forget(bounded[0]));
        watcher.watch(bounded[0]);
        routing.addEndHandler(ended -> watcher.forget(bounded[0]));
        request.setEntityStream(bounded[0]);
        return null;
    }

    /** Whether the route reads its body as a stream rather than whole. */
    static boolean streamsBody(Method method) {
        return method != null && Arrays.stream(method.getParameterTypes()).anyMatch(InputStream.class::equals);
    }
}
