package dev.stacyvm.gateway.auth;

import dev.stacyvm.gateway.quota.TokenBucket;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/** Tells a rate-limited owner where it stands: {@code X-RateLimit-Limit} and {@code X-RateLimit-Remaining} on every answer. */
public class RateLimitHeaders {

    public static final String LIMIT = "X-RateLimit-Limit";
    public static final String REMAINING = "X-RateLimit-Remaining";

    @Inject
    Instance<CallerContext> contexts;

    @ServerResponseFilter
    public void addHeaders(ContainerResponseContext response) {
        CallerContext context = contexts.get();
        TokenBucket.Take rate = context.caller() == null ? null : context.rate();
        if (rate != null && !response.getHeaders().containsKey(LIMIT)) {
            response.getHeaders().putSingle(LIMIT, rate.limit());
            response.getHeaders().putSingle(REMAINING, rate.remaining());
        }
    }

    static Response.ResponseBuilder add(Response.ResponseBuilder response, TokenBucket.Take rate) {
        return response.header(LIMIT, rate.limit()).header(REMAINING, rate.remaining());
    }
}
