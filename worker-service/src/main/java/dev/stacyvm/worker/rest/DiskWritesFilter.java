package dev.stacyvm.worker.rest;

import dev.stacyvm.worker.service.DiskUsageMeter;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Every call on a sandbox other than a read may change what it has written (an exec, a file
 * write, an upload, a delete): its kept disk figure goes stale when such a call begins and again
 * when its answer is sent, so a figure measured while the call ran is never answered after it.
 * A streamed exec, whose answer starts before the command ends, is also marked when it ends (see
 * {@code RuntimeService#stream}).
 */
public class DiskWritesFilter {

    // looked up per request: filters are built at static init
    @Inject
    Instance<DiskUsageMeter> diskUsage;

    @ServerRequestFilter
    public void beforeACall(ContainerRequestContext request) {
        markIfItMayWrite(request);
    }

    @ServerResponseFilter
    public void afterACall(ContainerRequestContext request) {
        markIfItMayWrite(request);
    }

    private void markIfItMayWrite(ContainerRequestContext request) {
        if (HttpMethod.GET.equals(request.getMethod()) || HttpMethod.HEAD.equals(request.getMethod())) {
            return;
        }
        String sandboxId = request.getUriInfo().getPathParameters().getFirst("id");
        if (sandboxId != null) {
            diskUsage.get().written(sandboxId);
        }
    }
}
