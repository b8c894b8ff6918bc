package dev.stacyvm.gateway.auth;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.gateway.config.GatewayConfig;
import dev.stacyvm.gateway.service.ApiKeys;
import dev.stacyvm.support.error.ErrorResponses;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Authenticates every {@code /api/v1} request by its API key ({@code X-Admin-API-Key} or
 * {@code X-API-Key}): the bootstrap admin key from configuration, or a key made through the admin
 * API. Then the role decides: administration routes need {@code admin}, the worker routes
 * {@code operator} or {@code admin}, and a {@code viewer} may only read. No key, or an unknown or
 * revoked one, is {@code 401}; a key without the right is {@code 403}.
 */
public class ApiKeyFilter {

    public static final String API_KEY = "X-API-Key";
    public static final String ADMIN_API_KEY = "X-Admin-API-Key";
    public static final String USER_ID = "X-User-ID";
    public static final String REQUEST_ID = "X-Request-ID";
    static final String BOOTSTRAP_KEY_NAME = "bootstrap-admin";
    /** Health and metrics answer without a key, like Quarkus's own /q routes. */
    static final Set<String> OPEN_PATHS = Set.of(
            "/api/v1/health", "/api/v1/live", "/api/v1/ready", "/api/v1/metrics/prometheus");
    private static final Set<String> READ_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    // looked up per request: filters are built at static init, before runtime config exists
    @Inject
    Instance<GatewayConfig> configs;

    @Inject
    Instance<CallerContext> contexts;

    @Inject
    Instance<ApiKeys> apiKeys;

    @ServerRequestFilter
    public Response authenticate(ContainerRequestContext request, HttpServerRequest http) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/v1") || OPEN_PATHS.contains(path)) {
            return null;
        }
        String key = request.getHeaderString(ADMIN_API_KEY);
        if (key == null) {
            key = request.getHeaderString(API_KEY);
        }
        Optional<ApiKeys.Identity> identity = key == null || key.isEmpty() ? Optional.empty() : identify(key);
        if (identity.isEmpty()) {
            return ErrorResponses.of(ErrorCode.UNAUTHORIZED, "invalid or missing API key");
        }
        Role role = identity.get().role();
        if (path.startsWith("/api/v1/admin") && role != Role.ADMIN) {
            return ErrorResponses.of(ErrorCode.FORBIDDEN, "admin API key required");
        }
        if (path.startsWith("/api/v1/workers") && role != Role.ADMIN && role != Role.OPERATOR) {
            return ErrorResponses.of(ErrorCode.FORBIDDEN, "operator or admin API key required");
        }
        if (role == Role.VIEWER && !READ_METHODS.contains(request.getMethod())) {
            return ErrorResponses.of(ErrorCode.FORBIDDEN, "viewer keys may only read");
        }
        String userId;
        try {
            userId = UserIds.validate(request.getHeaderString(USER_ID));
        } catch (ApiException invalid) {
            return ErrorResponses.of(invalid.code(), invalid.getMessage());
        }
        String requestId = request.getHeaderString(REQUEST_ID);
        if (requestId == null || requestId.isBlank() || requestId.length() > 128) {
            requestId = UUID.randomUUID().toString();
        }
        String source = http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
        ApiKeys.Identity who = identity.get();
        contexts.get().set(new Caller(who.tenant(), who.name(), who.role(), userId), requestId, source);
        return null;
    }

    private Optional<ApiKeys.Identity> identify(String key) {
        GatewayConfig config = configs.get();
        if (MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8), config.adminApiKey().getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(new ApiKeys.Identity("bootstrap", BOOTSTRAP_KEY_NAME, config.adminTenant(), Role.ADMIN));
        }
        return apiKeys.get().authenticate(key);
    }
}
