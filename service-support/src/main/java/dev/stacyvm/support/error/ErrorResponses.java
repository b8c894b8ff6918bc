package dev.stacyvm.support.error;

import dev.stacyvm.contract.api.ApiError;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Builds the one error response shape every service answers with. */
public final class ErrorResponses {

    private ErrorResponses() {
    }

    public static Response of(ErrorCode code, String message) {
        return Response.status(code.httpStatus())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ApiError.of(code, message))
                .build();
    }

    /** The exception's status and typed body and, where it sets one, Retry-After. */
    public static Response of(ApiException exception) {
        return of(exception.code(), exception.getMessage(), exception.retryAfterSeconds());
    }

    /**
     * The code's status and typed body, with {@code Retry-After} (RFC 9110 10.2.3, in seconds)
     * when {@code retryAfterSeconds} is not null.
     */
    public static Response of(ErrorCode code, String message, Long retryAfterSeconds) {
        Response.ResponseBuilder response = Response.fromResponse(of(code, message));
        if (retryAfterSeconds != null) {
            response.header("Retry-After", retryAfterSeconds);
        }
        return response.build();
    }
}
