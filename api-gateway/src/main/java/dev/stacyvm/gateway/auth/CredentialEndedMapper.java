package dev.stacyvm.gateway.auth;

import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.support.error.ErrorResponses;
import io.quarkus.logging.Log;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** {@link CredentialEndedException}: {@code unauthorized}, logged as the expected event it is. */
@Provider
public class CredentialEndedMapper implements ExceptionMapper<CredentialEndedException> {

    @Override
    public Response toResponse(CredentialEndedException ended) {
        Log.infof("a stream was cut: %s", ended.getMessage());
        return ErrorResponses.of(ErrorCode.UNAUTHORIZED, ended.getMessage());
    }
}
