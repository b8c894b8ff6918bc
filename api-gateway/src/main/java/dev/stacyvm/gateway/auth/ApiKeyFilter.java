package dev.stacyvm.gateway.auth;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.gateway.config.GatewayConfig;
import dev.stacyvm.gateway.quota.RateLimits;
import dev.stacyvm.gateway.quota.TokenBucket;
import dev.stacyvm.gateway.service.ApiKeys;
import dev.stacyvm.gateway.service.AuditTrail;
import dev.stacyvm.support.auth.AccessRules;
import dev.stacyvm.support.error.ErrorResponses;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Authenticates every {@code /api/v1} request by its API key ({@code X-Admin-API-Key} or
 * {@code X-API-Key}: the bootstrap admin key from configuration, or a key made through the admin
 * API) or, with no key, by an OIDC bearer token ({@link BearerTokens}). Then the role decides, by
 * the {@link Access} level of the resource method the router matched (never by the path string, so
 * no spelling of a path changes it): administration routes need {@code admin}, the worker routes
 * {@code operator} or {@code admin}, and a {@code viewer} may only read. A route that declares no
 * level is refused. No key, or an unknown or
 * revoked one, is {@code 401}; a key without the right is {@code 403}. Every refusal is recorded
 * in the audit trail as {@code auth.denied} (never with the presented key). Last, the request takes
 * a token from the buckets of its owner, its key and its tenant (each where a quota sets
 * {@code requests_per_minute}), or is refused with {@code resource_limit} and Retry-After.
 */
public class ApiKeyFilter {

    public static final String API_KEY = "X-API-Key";
    public static final String ADMIN_API_KEY = "X-Admin-API-Key";
    public static final String USER_ID = "X-User-ID";
    public static final String REQUEST_ID = "X-Request-ID";
    static final String AUTHORIZATION = "Authorization";
    static final String BEARER = "Bearer ";
    static final String BOOTSTRAP_KEY_NAME = ApiKeys.BOOTSTRAP_KEY_NAME;
    private static final Set<String> READ_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    // looked up per request: filters are built at static init, before runtime config exists
    @Inject
    Instance<GatewayConfig> configs;

    @Inject
    Instance<CallerContext> contexts;

    @Inject
    Instance<ApiKeys> apiKeys;

    @Inject
    Instance<AuditTrail> audit;

    @Inject
    Instance<RateLimits> rateLimits;

    @Inject
    Instance<BearerTokens> bearerTokens;

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
        String key = request.getHeaderString(ADMIN_API_KEY);
        if (key == null) {
            key = request.getHeaderString(API_KEY);
        }
        String requestId = RequestIds.acceptOrReplace(request.getHeaderString(REQUEST_ID));
        String source = http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
        String authorization = request.getHeaderString(AUTHORIZATION);
        Optional<ApiKeys.Identity> identity;
        if ((key == null || key.isEmpty()) && authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            try {
                identity = Optional.of(bearerTokens.get().verify(authorization.substring(BEARER.length()).trim()));
            } catch (BearerTokens.Refused refused) {
                // the token is never recorded, only that one was presented
                return denied(request, new AuditTrail.Origin("bearer token", requestId, source), refused.code(),
                        refused.getMessage());
            }
        } else {
            identity = key == null || key.isEmpty() ? Optional.empty() : identify(key);
        }
        if (identity.isEmpty()) {
            // the presented key is never recorded, only that one was presented
            String actor = key == null || key.isEmpty() ? "anonymous" : "unknown key";
            return denied(request, new AuditTrail.Origin(actor, requestId, source), ErrorCode.UNAUTHORIZED,
                    "invalid or missing API key or bearer token");
        }
        Role role = identity.get().role();
        String refusal = null;
        String levelRefusal = access.value().refusal(role);
        if (levelRefusal != null) {
            refusal = levelRefusal;
        } else if (role == Role.VIEWER && !READ_METHODS.contains(request.getMethod())) {
            refusal = "viewer keys may only read";
        }
        if (refusal != null) {
            String actor = identity.get().tenant() + "/" + identity.get().name();
            return denied(request, new AuditTrail.Origin(actor, requestId, source), ErrorCode.FORBIDDEN, refusal);
        }
        String userId;
        try {
            userId = UserIds.validate(request.getHeaderString(USER_ID));
        } catch (ApiException invalid) {
            return ErrorResponses.of(invalid.code(), invalid.getMessage());
        }
        ApiKeys.Identity who = identity.get();
        Caller caller = new Caller(who.tenant(), who.name(), who.ownerKey(), who.role(), userId);
        RateLimits.Standing standing = rateLimits.get().take(caller);
        TokenBucket.Take rate = standing == null ? null : standing.take();
        contexts.get().set(caller, requestId, source, rate);
        if (rate != null && !rate.allowed()) {
            Response refused = ErrorResponses.of(new ApiException(ErrorCode.RESOURCE_LIMIT, standing.subject()
                    + " is over its rate limit of " + rate.limit() + " requests a minute", rate.retryAfterSeconds()));
            return RateLimitHeaders.add(Response.fromResponse(refused), rate).build();
        }
        return null;
    }

    /** Refuses the request and records the refusal in the audit trail. */
    private Response denied(ContainerRequestContext request, AuditTrail.Origin origin, ErrorCode code, String reason) {
        audit.get().recordDenied(origin, request.getMethod(), request.getUriInfo().getPath(), reason);
        return ErrorResponses.of(code, reason);
    }

    private Optional<ApiKeys.Identity> identify(String key) {
        GatewayConfig config = configs.get();
        if (MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8), config.adminApiKey().getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(new ApiKeys.Identity("bootstrap", BOOTSTRAP_KEY_NAME, config.adminTenant(), Role.ADMIN));
        }
        return apiKeys.get().authenticate(key);
    }
}
