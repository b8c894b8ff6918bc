package dev.stacyvm.support.error;

import dev.stacyvm.contract.api.ErrorCode;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.net.ConnectException;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Anything no other mapper claimed. The cause is logged here and never sent to the client: a
 * service that could not be reached is {@code unavailable}; a failure of the container engine's
 * client (docker-java) is {@code provider_error}; anything else is a bug of ours,
 * {@code internal_error}, whose message carries an incident id the log holds with the cause.
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
        String incident = UUID.randomUUID().toString().substring(0, 8);
        if (fromTheEngine(exception)) {
            LOG.errorf(exception, "the container engine failed (incident %s)", incident);
            return ErrorResponses.of(ErrorCode.PROVIDER_ERROR, "the container engine failed (incident " + incident + ")");
        }
        LOG.errorf(exception, "unexpected failure (incident %s)", incident);
        return ErrorResponses.of(ErrorCode.INTERNAL_ERROR, "internal error (incident " + incident + ")");
    }

    /** The package of the container engine's client: what it throws is the provider failing, not our code. */
    private static final String ENGINE_CLIENT = "com.github.dockerjava.";

    /**
     * Whether the failure came out of the container engine's client: an exception of its own, or
     * one thrown from its code (its transports wrap I/O failures in plain runtime exceptions).
     */
    static boolean fromTheEngine(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t.getClass().getName().startsWith(ENGINE_CLIENT)) {
                return true;
            }
            StackTraceElement[] trace = t.getStackTrace();
            if (trace.length > 0 && trace[0].getClassName().startsWith(ENGINE_CLIENT)) {
                return true;
            }
        }
        return false;
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
