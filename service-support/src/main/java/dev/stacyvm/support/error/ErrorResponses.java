package dev.stacyvm.support.error;

import dev.stacyvm.contract.api.ApiError;
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
}
