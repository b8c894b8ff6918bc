package dev.stacyvm.scheduler.admission;

import dev.stacyvm.contract.api.OwnerIds;
import dev.stacyvm.contract.internal.OwnerLimits;
import dev.stacyvm.contract.internal.SandboxSpec;
import dev.stacyvm.scheduler.Sandbox;
import dev.stacyvm.scheduler.error.QuotaExceededException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.function.Supplier;

/**
 * The quota check of a create, on the scheduler's side: the limits of the owner, of its key and of
 * its tenant (which the gateway resolved into the {@link SandboxSpec}, package
 * {@code dev.stacyvm.gateway.quota}) against what their live sandboxes hold now. Called inside the
 * create's transaction, which the new record is committed in.
 */
@ApplicationScoped
public class OwnerAdmission {

    /** How long a client refused for its quota should wait before trying again (seconds). */
    public static final long RETRY_AFTER_SECONDS = 10;

    @Inject
    OwnerUsages usages;

    /**
     * Enforces the quota totals of the owner, of its key and of its tenant atomically: a
     * transaction-scoped advisory lock per tenant (which covers the owner and the key, both inside
     * it) serialises the tenant's creates until the new record is committed, so concurrent creates
     * can never pass any of the three limits together. Must run in the create's transaction.
     *
     * @throws QuotaExceededException naming the limit passed, with Retry-After when a
     *     destroy could make room (none when the sandbox could never fit)
     * @throws jakarta.transaction.TransactionalException when called outside a transaction, where
     *     the lock would be released before the record it guards is written
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void admit(SandboxSpec spec) {
        if (spec.ownerLimits() == null && spec.keyLimits() == null && spec.tenantLimits() == null) {
            return;
        }
        String tenant = OwnerIds.tenantOf(spec.ownerId());
        Sandbox.getEntityManager().createNativeQuery("SELECT pg_advisory_xact_lock(hashtext(?1))")
                .setParameter(1, "tenant:" + tenant)
                .getSingleResult();
        refuseOver(spec.ownerLimits(), spec, () -> spec.ownerLimits().refusal(usages.of(spec.ownerId()), spec.memoryMb(),
                spec.vcpus(), spec.diskMb()));
        String keyId = OwnerIds.keyIdOf(spec.ownerId());
        refuseOver(spec.keyLimits(), spec, () -> spec.keyLimits().refusal("key " + keyId, usages.ofKey(keyId),
                spec.memoryMb(), spec.vcpus(), spec.diskMb()));
        refuseOver(spec.tenantLimits(), spec, () -> spec.tenantLimits().refusal("tenant " + tenant,
                usages.ofTenant(tenant), spec.memoryMb(), spec.vcpus(), spec.diskMb()));
    }

    private static void refuseOver(OwnerLimits limits, SandboxSpec spec, Supplier<String> check) {
        if (limits == null) {
            return;
        }
        String refusal = check.get();
        if (refusal != null) {
            throw new QuotaExceededException(refusal,
                    limits.couldEverFit(spec.memoryMb(), spec.vcpus(), spec.diskMb()) ? RETRY_AFTER_SECONDS : null);
        }
    }
}
