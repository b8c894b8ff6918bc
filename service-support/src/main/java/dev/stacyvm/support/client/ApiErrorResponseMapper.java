package dev.stacyvm.support.client;

import dev.stacyvm.contract.api.ApiError;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.ext.ResponseExceptionMapper;

/**
 * Turns another service's typed error answer back into an {@link ApiException}, so that a
 * {@code not_found} from the scheduler reaches the client as the same {@code not_found}.
 */
public class ApiErrorResponseMapper implements ResponseExceptionMapper<ApiException> {

    @Override
    public ApiException toThrowable(Response response) {
        ErrorCode code = ErrorCode.forStatus(response.getStatus());
        String message = "internal call failed with status " + response.getStatus();
        if (MediaType.APPLICATION_JSON_TYPE.isCompatible(response.getMediaType())) {
            try {
                ApiError error = response.readEntity(ApiError.class);
                if (error != null && error.message() != null) {
                    message = error.message();
                }
                ErrorCode named = error == null ? null : ErrorCode.fromWireName(error.code());
                if (named != null) {
                    code = named;
                }
            } catch (RuntimeException unreadable) {
                // keep the status-derived code and message
            }
        }
        Long retryAfter = null;
        String header = response.getHeaderString("Retry-After");
        if (header != null && header.matches("\\d+")) {
            retryAfter = Long.parseLong(header);
        }
        return new ApiException(code, message, retryAfter);
    }

    @Override
    public boolean handles(int status, jakarta.ws.rs.core.MultivaluedMap<String, Object> headers) {
        return status >= 400;
    }
}
