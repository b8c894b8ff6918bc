package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.gateway.auth.Caller;
import dev.stacyvm.gateway.auth.CallerContext;
import dev.stacyvm.gateway.service.UploadSlots;
import dev.stacyvm.support.error.ErrorResponses;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Arrays;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Holds one of the caller's upload slots ({@link UploadSlots}) for as long as an upload's request
 * lasts: routes marked {@link Upload} and every route that streams its body. Runs after
 * authentication, so the owner and the key are known; the slot is given back when the response
 * ends or the connection closes, however the request ended.
 */
public class UploadSlotFilter {

    // looked up per request: filters are built at static init, before runtime config exists
    @Inject
    Instance<UploadSlots> slots;

    @Inject
    Instance<CallerContext> contexts;

    @ServerRequestFilter(priority = Priorities.USER + 100)
    public Response holdUploadSlot(ResourceInfo resource, RoutingContext routing) {
        if (!isUpload(resource.getResourceMethod())) {
            return null;
        }
        Caller caller = contexts.get().caller();
        if (caller == null) {
            return null;
        }
        UploadSlots.Slot slot;
        try {
            slot = slots.get().take(caller.ownerId(), caller.tenant() + "/" + caller.keyName());
        } catch (ApiException refused) {
            return ErrorResponses.of(refused);
        }
        routing.addEndHandler(ended -> slot.release());
        return null;
    }

    static boolean isUpload(Method method) {
        return method != null && (method.isAnnotationPresent(Upload.class)
                || Arrays.stream(method.getParameterTypes()).anyMatch(InputStream.class::equals));
    }
}
