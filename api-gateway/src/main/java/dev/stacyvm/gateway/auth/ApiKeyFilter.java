package dev.stacyvm.gateway.auth;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.gateway.config.GatewayConfig;
import dev.stacyvm.support.error.ErrorResponses;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.UUID;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Authenticates every {@code /api/v1} request by its API key ({@code X-API-Key} or
 * {@code X-Admin-API-Key}) and records who is calling; anything else is {@code 401}.
 */
public class ApiKeyFilter {

    public static final String API_KEY = "X-API-Key";
    public static final String ADMIN_API_KEY = "X-Admin-API-Key";
    public static final String USER_ID = "X-User-ID";
    public static final String REQUEST_ID = "X-Request-ID";
    static final String BOOTSTRAP_KEY_NAME = "bootstrap-admin";
    /** Health and metrics answer without a key, like Quarkus's own /q routes. */
    static final java.util.Set<String> OPEN_PATHS = java.util.Set.of(
            "/api/v1/health", "/api/v1/live", "/api/v1/ready", "/api/v1/metrics/prometheus");

    // looked up per request: filters are built at static init, before runtime config exists
    @Inject
    Instance<GatewayConfig> configs;

    @Inject
    Instance<CallerContext> contexts;

    @ServerRequestFilter
    public Response authenticate(ContainerRequestContext request, HttpServerRequest http) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/v1") || OPEN_PATHS.contains(path)) {
            return null;
        }
        GatewayConfig config = configs.get();
        String key = request.getHeaderString(ADMIN_API_KEY);
        if (key == null) {
            key = request.getHeaderString(API_KEY);
        }
        if (key == null || !matches(key, config.adminApiKey())) {
            return ErrorResponses.of(ErrorCode.UNAUTHORIZED, "invalid or missing API key");
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
        contexts.get().set(new Caller(config.adminTenant(), BOOTSTRAP_KEY_NAME, Caller.ADMIN, userId), requestId, source);
        return null;
    }

    private static boolean matches(String presented, String expected) {
        return MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }
}
