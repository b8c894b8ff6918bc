package dev.stacyvm.support.auth;

import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.support.error.ErrorResponses;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import java.lang.annotation.Annotation;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Decides who may call a route on the resource method the router actually matched, never on the
 * path string: however a path is spelled (matrix parameters, escapes, dot segments, doubled
 * slashes), the matched method's {@link AccessRule} applies. Deny by default: a method that
 * declares no rule is refused. {@link InternalApi} needs the service token; {@link CalledByWorker}
 * a worker's own, unrevoked credential. Other rules (the gateway's roles) pass on to the filter of
 * the service that defines them.
 */
public class RouteAuthorizationFilter {

    // looked up per request: filters are built at static init, before runtime config exists
    @Inject
    Instance<ServiceCredential> credentials;

    @Inject
    Instance<WorkerCredentialVerifier> workerCredentials;

    @Inject
    Instance<AuthenticatedWorker> authenticatedWorker;

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Response authorise(ContainerRequestContext request, ResourceInfo resource) {
        Annotation rule = resource.getResourceMethod() == null ? null
                : AccessRules.of(resource.getResourceClass(), resource.getResourceMethod());
        if (rule == null) {
            return ErrorResponses.of(ErrorCode.FORBIDDEN, "this route declares no access rule");
        }
        if (rule instanceof InternalApi) {
            if (credentials.get().isServiceToken(request.getHeaderString(ServiceCredential.HEADER))) {
                return null;
            }
            return ErrorResponses.of(ErrorCode.UNAUTHORIZED, "internal route: service token missing or wrong");
        }
        if (rule instanceof CalledByWorker) {
            String presented = request.getHeaderString(ServiceCredential.WORKER_HEADER);
            Optional<String> worker = presented == null || presented.isEmpty() || !workerCredentials.isResolvable()
                    ? Optional.empty() : workerCredentials.get().workerIdOf(presented);
            if (worker.isEmpty()) {
                return ErrorResponses.of(ErrorCode.UNAUTHORIZED, "worker route: worker credential missing, unknown or revoked");
            }
            authenticatedWorker.get().set(worker.get());
            return null;
        }
        return null;
    }
}
