package dev.stacyvm.support.error;

import dev.stacyvm.contract.api.ErrorCode;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.net.ConnectException;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.core.CurrentRequestManager;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;

/**
 * Anything no other mapper claimed. The cause is logged here and never sent to the client: a
 * service that could not be reached is {@code unavailable}; a failure of the container engine's
 * client (docker-java) is {@code provider_error}; anything else is a bug of ours,
 * {@code internal_error}, whose message carries an incident id the log holds with the cause.
 * A client that left while its answer was being written (a download or a stream it closed) is
 * an expected event: logged at INFO, no incident.
 */
@Provider
public class UnexpectedErrorMapper implements ExceptionMapper<Exception> {

    private static final Logger LOG = Logger.getLogger(UnexpectedErrorMapper.class);

    @Override
    public Response toResponse(Exception exception) {
        if (clientLeft(exception)) {
            // an expected event, not a bug: the client went away (closed a download, cancelled a
            // stream) while its answer was being written; nothing more can reach it
            LOG.infof("the client closed the connection before its answer was complete: %s", exception);
            return Response.status(CLIENT_CLOSED_REQUEST).build();
        }
        String incident = UUID.randomUUID().toString().substring(0, 8);
        // first: an engine socket that refuses is the provider failing, not a StacyVM service away
        if (fromTheEngine(exception)) {
            LOG.errorf(exception, "the container engine failed (incident %s)", incident);
            return ErrorResponses.of(ErrorCode.PROVIDER_ERROR, "the container engine failed (incident " + incident + ")");
        }
        if (isUnreachable(exception)) {
            LOG.warnf("dependency unreachable: %s", exception.toString());
            return ErrorResponses.of(ErrorCode.UNAVAILABLE, "a StacyVM service this request needs is unavailable");
        }
        LOG.errorf(exception, "unexpected failure (incident %s)", incident);
        return ErrorResponses.of(ErrorCode.INTERNAL_ERROR, "internal error (incident " + incident + ")");
    }

    /**
     * The status recorded for an answer the client left before it was complete (nginx's 499
     * "client closed request"): none is written, the connection being gone.
     */
    static final int CLIENT_CLOSED_REQUEST = 499;

    /** Whether an I/O failure is the client's connection gone under the answer being written. */
    static boolean clientLeft(Throwable exception) {
        ResteasyReactiveRequestContext request = CurrentRequestManager.get();
        if (request == null || !request.serverResponse().closed()) {
            return false;
        }
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }

    /** The package of the container engine's client: what it throws is the provider failing, not our code. */
    private static final String ENGINE_CLIENT = "com.github.dockerjava.";

    /**
     * The engine client's transports, which wrap I/O failures in plain runtime exceptions. Only
     * their frames count: a plain exception thrown elsewhere in the client (its builders checking
     * what we passed) is a bug of ours.
     */
    private static final List<String> ENGINE_TRANSPORTS = List.of("com.github.dockerjava.httpclient5.",
            "com.github.dockerjava.transport.", "com.github.dockerjava.zerodep.");

    /**
     * Whether the failure came out of the container engine's client: an exception type of its
     * own, or a plain one thrown from one of its transports.
     */
    static boolean fromTheEngine(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t.getClass().getName().startsWith(ENGINE_CLIENT)) {
                return true;
            }
            StackTraceElement[] trace = t.getStackTrace();
            if (trace.length > 0 && ENGINE_TRANSPORTS.stream().anyMatch(trace[0].getClassName()::startsWith)) {
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
