package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.gateway.TenantNetworkPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Tenants' egress policies and the effective policy of a networked sandbox: the policy it (or its
 * template) asks for, bounded by its tenant's ({@link NetworkPolicy#bounded}).
 */
@ApplicationScoped
public class NetworkPolicies {

    /** The tenant's policy; {@code null} when an administrator set none. */
    @Transactional
    public NetworkPolicy ofTenant(String tenant) {
        TenantNetworkPolicy row = tenant == null ? null : TenantNetworkPolicy.findById(tenant);
        return row == null ? null : row.policy;
    }

    /**
     * The tenant's policy.
     *
     * @throws ApiException {@code not_found} when the tenant has none
     */
    @Transactional
    public NetworkPolicy get(String tenant) {
        NetworkPolicy policy = ofTenant(Tenants.valid(tenant));
        if (policy == null) {
            throw ApiException.notFound("tenant " + tenant + " has no network policy");
        }
        return policy;
    }

    /**
     * Sets (replaces) the tenant's policy; the caller narrows running sandboxes to it
     * ({@link SandboxGateway#narrowToTenant}).
     *
     * @throws ApiException {@code bad_request} for a bad tenant name or a missing body,
     *                      {@code invalid_network_policy} for a bad entry
     */
    @Transactional
    public NetworkPolicy put(String tenant, NetworkPolicy policy) {
        Tenants.valid(tenant);
        if (policy == null) {
            throw ApiException.badRequest("a network policy body is required");
        }
        NetworkPolicy checked = policy.validated();
        TenantNetworkPolicy row = TenantNetworkPolicy.findById(tenant);
        if (row == null) {
            row = new TenantNetworkPolicy();
            row.tenant = tenant;
        }
        row.policy = checked;
        row.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        row.persist();
        return checked;
    }

    /** Removes the tenant's policy; {@code not_found} when it had none. */
    @Transactional
    public void delete(String tenant) {
        if (!TenantNetworkPolicy.deleteById(Tenants.valid(tenant))) {
            throw ApiException.notFound("tenant " + tenant + " has no network policy");
        }
    }

    /**
     * The policy a sandbox of {@code tenant} on {@code network} gets: {@code null} without a network,
     * else what it asks for bounded by the tenant's.
     *
     * @throws ApiException {@code invalid_network_policy}, {@code network_policy_not_allowed}, or
     *                      {@code bad_request} when a sandbox without a network names a policy
     */
    public NetworkPolicy effective(String network, NetworkPolicy requested, String tenant) {
        if (!"bridge".equals(network)) {
            if (requested != null) {
                throw ApiException.badRequest("network_policy needs network \"bridge\"; this sandbox has no network");
            }
            return null;
        }
        return NetworkPolicy.bounded(requested == null ? null : requested.validated(), ofTenant(tenant));
    }
}
