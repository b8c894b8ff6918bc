package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.AdmissionDecision;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.CapacityView;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.SandboxSpec;
import dev.stacyvm.contract.time.GoDuration;
import dev.stacyvm.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Whether a create may go ahead now: the owner is under their sandbox limit and a worker has
 * room. The admission route answers this decision; the create path enforces the same one.
 */
@ApplicationScoped
public class Admission {

    /** How long a refused client should wait before trying again. */
    static final long RETRY_AFTER_SECONDS = 10;

    @Inject
    InternalServices services;

    @Inject
    GatewayConfig config;

    public AdmissionDecision decide(SandboxSpec spec) {
        CapacityView capacity = services.scheduler().capacity(spec.ownerId());
        long maxOwner = config.sandboxes().maxPerOwner();
        String reason = null;
        if (capacity.activeOwnerSandboxes() >= maxOwner) {
            reason = "owner " + spec.ownerId() + " has " + capacity.activeOwnerSandboxes() + " of at most " + maxOwner
                    + " live sandboxes";
        } else if (capacity.free() <= 0) {
            reason = capacity.capacity() == 0 ? "no worker is available" : "every worker is at capacity";
        }
        return new AdmissionDecision(reason == null, false, reason == null ? "" : reason, capacity.activeSandboxes(),
                capacity.capacity(), capacity.activeOwnerSandboxes(), maxOwner,
                GoDuration.format(config.sandboxes().maxTtl()));
    }

    /** @throws ApiException {@code resource_limit} with Retry-After when the create may not go ahead */
    public void admit(SandboxSpec spec) {
        AdmissionDecision decision = decide(spec);
        if (!decision.allowed()) {
            throw new ApiException(ErrorCode.RESOURCE_LIMIT, decision.reason(), RETRY_AFTER_SECONDS);
        }
    }
}
