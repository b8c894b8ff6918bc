package dev.stacyvm.support.auth;

import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.support.error.ErrorResponses;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import io.vertx.ext.web.RoutingContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Refuses internal routes to any caller that does not carry the service token. */
public class ServiceTokenFilter {

    // looked up per request: filters are built at static init, before runtime config exists
    @Inject
    Instance<ServiceCredential> credentials;

    @ServerRequestFilter(preMatching = true)
    public Response requireServiceToken(ContainerRequestContext request, RoutingContext routing) {
        ServiceCredential credential = credentials.get();
        // the path as the router will match it: escapes decoded and dot segments resolved, so
        // that /%69nternal/... or /x/../internal/... cannot slip past the check
        String path = routing.normalizedPath();
        if (!path.startsWith(credential.internalPathPrefix())) {
            return null;
        }
        String presented = request.getHeaderString(ServiceCredential.HEADER);
        if (presented != null && MessageDigest.isEqual(
                presented.getBytes(StandardCharsets.UTF_8), credential.token().getBytes(StandardCharsets.UTF_8))) {
            return null;
        }
        return ErrorResponses.of(ErrorCode.UNAUTHORIZED, "internal route: service token missing or wrong");
    }
}
