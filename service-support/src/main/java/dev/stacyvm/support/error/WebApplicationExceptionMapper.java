package dev.stacyvm.support.error;

import dev.stacyvm.contract.api.ErrorCode;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * The framework's own refusals (no such route, wrong method, unsupported media type, a body it
 * could not read) in the typed error shape, so that no client ever sees an HTML or empty error.
 */
@Provider
public class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {

    @Override
    public Response toResponse(WebApplicationException exception) {
        int status = exception.getResponse().getStatus();
        ErrorCode code = ErrorCode.forStatus(status);
        String message = switch (status) {
            case 404 -> "no such resource";
            case 405 -> "method not allowed on this resource";
            case 406 -> "cannot produce the requested media type";
            case 415 -> "unsupported media type; send application/json";
            default -> status >= 500 ? "internal error" : "bad request";
        };
        if (status == 400 && exception.getCause() != null) {
            message = "request body could not be read";
        }
        return Response.fromResponse(ErrorResponses.of(code, message)).status(status).build();
    }
}
