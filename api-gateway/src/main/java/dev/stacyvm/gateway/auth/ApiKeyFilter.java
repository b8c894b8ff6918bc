package dev.stacyvm.gateway.auth;

import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.gateway.service.ApiKeys;
import dev.stacyvm.support.auth.AccessRules;
import dev.stacyvm.support.error.ErrorResponses;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Authenticates and authorises every JAX-RS {@code /api/v1} request through {@link Authenticator},
 * by the {@link Access} level of the resource method the router matched (never by the path
 * string, so no spelling of a path changes it). A route that declares no level is refused. The
 * caller is then the request's {@link CallerContext}; a refusal is answered with its typed error
 * (and, for a rate limit, the {@code X-RateLimit-*} headers).
 */
public class ApiKeyFilter {

    public static final String API_KEY = "X-API-Key";
    public static final String ADMIN_API_KEY = "X-Admin-API-Key";
    public static final String USER_ID = "X-User-ID";
    public static final String REQUEST_ID = "X-Request-ID";
    static final String AUTHORIZATION = "Authorization";
    static final String BEARER = Authenticator.BEARER;
    static final String BOOTSTRAP_KEY_NAME = ApiKeys.BOOTSTRAP_KEY_NAME;

    // looked up per request: filters are built at static init, before runtime config exists
    @Inject
    Instance<CallerContext> contexts;

    @Inject
    Instance<Authenticator> authenticators;

    @ServerRequestFilter
    public Response authenticate(ContainerRequestContext request, HttpServerRequest http, ResourceInfo resource) {
        Access access = resource.getResourceMethod() == null ? null
                : AccessRules.of(resource.getResourceClass(), resource.getResourceMethod()) instanceof Access declared ? declared : null;
        if (access == null) {
            // deny by default; service-support's RouteAuthorizationFilter refuses it too
            return ErrorResponses.of(ErrorCode.FORBIDDEN, "this route declares no access rule");
        }
        if (access.value() == Access.Level.OPEN) {
            return null;
        }
        String requestId = RequestIds.acceptOrReplace(request.getHeaderString(REQUEST_ID));
        String source = http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
        try {
            Authenticator.Authenticated admitted = authenticators.get().authenticate(
                    new Authenticator.Credentials(request.getHeaderString(ADMIN_API_KEY), request.getHeaderString(API_KEY),
                            request.getHeaderString(AUTHORIZATION), request.getHeaderString(USER_ID)),
                    access.value(), new Authenticator.Request(request.getMethod(), request.getUriInfo().getPath(), requestId, source));
            contexts.get().set(admitted.caller(), requestId, source, admitted.rate(), admitted.apiKeyId(),
                    admitted.validUntil());
            return null;
        } catch (Authenticator.Refused refused) {
            Response answer = ErrorResponses.of(refused.error());
            return refused.rate() == null ? answer : RateLimitHeaders.add(Response.fromResponse(answer), refused.rate()).build();
        }
    }
}
