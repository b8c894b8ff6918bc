package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.AdmissionDecision;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.CapacityView;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.OwnerLimits;
import dev.stacyvm.contract.api.SandboxSpec;
import dev.stacyvm.contract.time.GoDuration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Whether a create may go ahead now: the owner's live sandboxes leave room in their quota for
 * this one, and a worker has room. The admission route answers this decision; the create path enforces the same one.
 */
@ApplicationScoped
public class Admission {

    /** How long a refused client should wait before trying again. */
    static final long RETRY_AFTER_SECONDS = 10;

    @Inject
    InternalServices services;

    @Inject
    Quotas quotas;

    public AdmissionDecision decide(SandboxSpec spec) {
        CapacityView capacity = services.scheduler().capacity(spec.ownerId());
        OwnerLimits limits = spec.ownerLimits();
        String reason = limits.refusal(capacity.owner(), spec.memoryMb(), spec.vcpus());
        if (reason == null && capacity.free() <= 0) {
            reason = capacity.capacity() == 0 ? "no worker is available" : "every worker is at capacity";
        }
        return new AdmissionDecision(reason == null, false, reason == null ? "" : reason, capacity.activeSandboxes(),
                capacity.capacity(), capacity.owner().sandboxes(), limits.maxSandboxes(),
                GoDuration.format(quotas.of(spec.ownerId()).maxTtl()));
    }

    /**
     * @throws ApiException {@code resource_limit} when the create may not go ahead; with Retry-After
     *         unless the sandbox could never fit the owner's quota
     */
    public void admit(SandboxSpec spec) {
        AdmissionDecision decision = decide(spec);
        if (!decision.allowed()) {
            boolean mayPassLater = spec.ownerLimits().couldEverFit(spec.memoryMb(), spec.vcpus());
            throw new ApiException(ErrorCode.RESOURCE_LIMIT, decision.reason(), mayPassLater ? RETRY_AFTER_SECONDS : null);
        }
    }
}
