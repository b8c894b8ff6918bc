package dev.stacyvm.support.auth;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import jakarta.enterprise.context.RequestScoped;

/**
 * The worker whose credential authenticated the current request ({@link CalledByWorker} routes).
 * A worker may act only for itself: routes that name a worker id check it with {@link #requireSelf}.
 */
@RequestScoped
public class AuthenticatedWorker {

    private String workerId;

    /** Records the worker a credential authenticated; called by {@link RouteAuthorizationFilter} only. */
    public void set(String workerId) {
        this.workerId = workerId;
    }

    /** The authenticated worker's id, or null when no worker credential authenticated this request. */
    public String id() {
        return workerId;
    }

    /**
     * Refuses the request unless the authenticated worker is {@code claimed}.
     *
     * @throws ApiException {@code forbidden} when another worker (or none) is named
     */
    public void requireSelf(String claimed) {
        if (workerId == null || !workerId.equals(claimed)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "this worker credential belongs to another worker");
        }
    }
}
