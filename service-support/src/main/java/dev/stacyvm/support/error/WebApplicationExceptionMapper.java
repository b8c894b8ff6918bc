package dev.stacyvm.support.error;

import dev.stacyvm.contract.api.ErrorCode;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Set;

/**
 * The framework's own refusals (no such route, wrong method, unsupported media type, a body it
 * could not read) in the typed error shape, so that no client ever sees an HTML or empty error.
 * The body's {@code code} and {@code status} are always the HTTP status's own
 * ({@link ErrorCode#forStatus}); a 415 or 406 names the media types the route takes or gives
 * ({@link RouteMediaTypes}).
 */
@Provider
public class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {

    @Inject
    RouteMediaTypes routes;

    @Context
    UriInfo uri;

    @Context
    Request request;

    @Context
    HttpHeaders headers;

    @Override
    public Response toResponse(WebApplicationException exception) {
        int status = exception.getResponse().getStatus();
        ErrorCode code = ErrorCode.forStatus(status);
        String message = switch (status) {
            case 404 -> "no such resource";
            case 405 -> "method not allowed on this resource";
            case 406 -> "cannot answer in any media type the Accept header allows"
                    + named("; this route answers in ", routes.produces(request.getMethod(), uri.getPath()));
            case 415 -> "unsupported media type " + (headers.getMediaType() == null ? "(none)" : headers.getMediaType())
                    + named("; this route accepts ", routes.consumes(request.getMethod(), uri.getPath()));
            default -> status >= 500 ? "internal error" : "bad request";
        };
        if (status == 400 && exception.getCause() != null) {
            message = "request body could not be read";
        }
        return Response.fromResponse(ErrorResponses.of(code, message)).status(status).build();
    }

    private static String named(String lead, Set<String> types) {
        return types.isEmpty() ? "" : lead + String.join(", ", types);
    }
}
