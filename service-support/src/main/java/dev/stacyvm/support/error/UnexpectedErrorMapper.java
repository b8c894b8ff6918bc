package dev.stacyvm.support.error;

import dev.stacyvm.contract.api.ErrorCode;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.net.ConnectException;
import org.jboss.logging.Logger;

/**
 * Anything no other mapper claimed. The cause is logged here and never sent to the client; a
 * service that could not be reached is {@code unavailable}, anything else {@code provider_error}.
 */
@Provider
public class UnexpectedErrorMapper implements ExceptionMapper<Exception> {

    private static final Logger LOG = Logger.getLogger(UnexpectedErrorMapper.class);

    @Override
    public Response toResponse(Exception exception) {
        if (isUnreachable(exception)) {
            LOG.warnf("dependency unreachable: %s", exception.toString());
            return ErrorResponses.of(ErrorCode.UNAVAILABLE, "a StacyVM service this request needs is unavailable");
        }
        LOG.error("unexpected failure", exception);
        return ErrorResponses.of(ErrorCode.PROVIDER_ERROR, "internal error");
    }

    private static boolean isUnreachable(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof java.net.http.HttpConnectTimeoutException) {
                return true;
            }
            if (t instanceof ProcessingException && t.getCause() == null) {
                return true;
            }
        }
        return false;
    }
}
