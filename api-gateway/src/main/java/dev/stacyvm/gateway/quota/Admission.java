package dev.stacyvm.gateway.quota;

import dev.stacyvm.contract.api.AdmissionDecision;
import dev.stacyvm.contract.api.OwnerIds;
import dev.stacyvm.contract.internal.CapacityView;
import dev.stacyvm.contract.internal.OwnerLimits;
import dev.stacyvm.contract.internal.SandboxSpec;
import dev.stacyvm.contract.time.GoDuration;
import dev.stacyvm.gateway.service.InternalServices;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Whether a create may go ahead now: the live sandboxes of the owner, of its key and of its tenant
 * leave room in their limits for this one, and a worker has room (a free sandbox slot, and host
 * memory, vCPUs, pids and disk for its shape). The admission route answers this decision; the scheduler
 * enforces the same one, atomically, on every create.
 */
@ApplicationScoped
public class Admission {

    @Inject
    InternalServices services;

    @Inject
    Quotas quotas;

    public AdmissionDecision decide(SandboxSpec spec) {
        CapacityView capacity = services.scheduler().capacity(spec.ownerId(), spec.memoryMb(), spec.vcpus(),
                spec.pidsLimit(), spec.diskMb(), spec.runtime());
        OwnerLimits limits = spec.ownerLimits();
        String reason = limits.refusal(capacity.owner(), spec.memoryMb(), spec.vcpus(), spec.diskMb());
        String keyId = OwnerIds.keyIdOf(spec.ownerId());
        if (reason == null && spec.keyLimits() != null && capacity.key() != null) {
            reason = spec.keyLimits().refusal("key " + keyId, capacity.key(), spec.memoryMb(), spec.vcpus(),
                    spec.diskMb());
        }
        if (reason == null && spec.tenantLimits() != null && capacity.tenant() != null) {
            reason = spec.tenantLimits().refusal("tenant " + OwnerIds.tenantOf(spec.ownerId()), capacity.tenant(),
                    spec.memoryMb(), spec.vcpus(), spec.diskMb());
        }
        if (reason == null && capacity.free() <= 0) {
            reason = capacity.capacity() == 0 ? "no worker is available" : "every worker is at capacity";
        }
        if (reason == null && capacity.hostRefusal() != null) {
            reason = capacity.hostRefusal();
        }
        return new AdmissionDecision(reason == null, false, reason == null ? "" : reason, capacity.activeSandboxes(),
                capacity.capacity(), capacity.owner().sandboxes(), limits.maxSandboxes(),
                GoDuration.format(quotas.of(spec.ownerId()).maxTtl()));
    }
}
