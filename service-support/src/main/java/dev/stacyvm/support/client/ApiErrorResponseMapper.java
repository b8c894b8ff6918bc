package dev.stacyvm.support.client;

import dev.stacyvm.contract.api.ApiError;
import dev.stacyvm.contract.api.ApiException;
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
        ApiError error = null;
        if (MediaType.APPLICATION_JSON_TYPE.isCompatible(response.getMediaType())) {
            try {
                error = response.readEntity(ApiError.class);
            } catch (RuntimeException unreadable) {
                // the status decides the code
            }
        }
        if (error == null || error.message() == null) {
            error = new ApiError(error == null ? null : error.code(),
                    "internal call failed with status " + response.getStatus(), null, null, null, null);
        }
        return ApiException.fromAnswer(response.getStatus(), error, response.getHeaderString("Retry-After"));
    }

    @Override
    public boolean handles(int status, jakarta.ws.rs.core.MultivaluedMap<String, Object> headers) {
        return status >= 400;
    }
}
