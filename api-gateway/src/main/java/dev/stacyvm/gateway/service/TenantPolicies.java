package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.ApiException;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A policy an administrator sets per tenant, one row per tenant in its own table: read, set
 * (replaced whole, validated first) and removed the same way for every kind ({@link ImagePolicies},
 * {@link NetworkPolicies}).
 *
 * @param <P> the policy type, validated by {@link #validated}
 */
public abstract class TenantPolicies<P> {

    /** The tenant's stored policy, or null. */
    protected abstract P stored(String tenant);

    /** Stores {@code policy} as the tenant's, replacing any. */
    protected abstract void store(String tenant, P policy, Instant updatedAt);

    /** Removes the tenant's policy; whether it had one. */
    protected abstract boolean remove(String tenant);

    /**
     * The policy checked and normalised.
     *
     * @throws ApiException when an entry is bad
     */
    protected abstract P validated(P policy);

    /** What error messages call it, e.g. {@code image policy}. */
    protected abstract String kind();

    /** The tenant's policy; {@code null} when an administrator set none. */
    @Transactional
    public P ofTenant(String tenant) {
        return tenant == null ? null : stored(tenant);
    }

    /**
     * The tenant's policy.
     *
     * @throws ApiException {@code not_found} when the tenant has none, {@code bad_request} for a bad tenant name
     */
    @Transactional
    public P get(String tenant) {
        P policy = ofTenant(Tenants.valid(tenant));
        if (policy == null) {
            throw ApiException.notFound("tenant " + tenant + " has no " + kind());
        }
        return policy;
    }

    /**
     * Sets (replaces) the tenant's policy.
     *
     * @throws ApiException {@code bad_request} for a bad tenant name or a missing body, or what
     *                      {@link #validated} answers for a bad entry
     */
    @Transactional
    public P put(String tenant, P policy) {
        Tenants.valid(tenant);
        if (policy == null) {
            throw ApiException.badRequest("the " + kind() + " is required as the body");
        }
        P checked = validated(policy);
        store(tenant, checked, Instant.now().truncatedTo(ChronoUnit.MICROS));
        return checked;
    }

    /**
     * Removes the tenant's policy.
     *
     * @throws ApiException {@code not_found} when it had none
     */
    @Transactional
    public void delete(String tenant) {
        if (!remove(Tenants.valid(tenant))) {
            throw ApiException.notFound("tenant " + tenant + " has no " + kind());
        }
    }
}
