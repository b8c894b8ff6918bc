package dev.stacyvm.gateway.auth;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * The request id of every request: a client's {@code X-Request-ID} is kept only when it is 1 to
 * 128 characters of letters, digits and {@code . _ : -}, starting with a letter or digit; any
 * other (absent, blank, too long, with spaces, control characters, quotes, commas or a leading
 * {@code = + - @}) is replaced by a fresh UUID. The id is what the audit log and the logs record
 * and what every answer carries back in {@code X-Request-ID}, so a client cannot inject lines,
 * CSV cells or formulas through it, and can always correlate its request.
 */
public class RequestIds {

    /** Where the request's accepted id is kept for the response filter. */
    static final String PROPERTY = "stacyvm.request-id";
    private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    /** The id as sent when it is acceptable, otherwise a fresh random UUID. */
    public static String acceptOrReplace(String presented) {
        return presented != null && ACCEPTED.matcher(presented).matches() ? presented : UUID.randomUUID().toString();
    }

    /** Before any other filter (authentication included) reads it, the header holds an acceptable id. */
    @ServerRequestFilter(preMatching = true)
    public void validate(ContainerRequestContext request) {
        String id = acceptOrReplace(request.getHeaderString(ApiKeyFilter.REQUEST_ID));
        request.getHeaders().putSingle(ApiKeyFilter.REQUEST_ID, id);
        request.setProperty(PROPERTY, id);
    }

    /** Every answer, refusals included, names the id its request was recorded under. */
    @ServerResponseFilter
    public void answer(ContainerRequestContext request, ContainerResponseContext response) {
        Object id = request.getProperty(PROPERTY);
        if (id != null) {
            response.getHeaders().putSingle(ApiKeyFilter.REQUEST_ID, id);
        }
    }
}
