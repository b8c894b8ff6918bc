package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.gateway.TenantNetworkPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * Tenants' egress policies and the effective policy of a networked sandbox: the policy it (or its
 * template) asks for, bounded by its tenant's ({@link NetworkPolicy#bounded}).
 */
@ApplicationScoped
public class NetworkPolicies extends TenantPolicies<NetworkPolicy> {

    @Override
    protected NetworkPolicy stored(String tenant) {
        TenantNetworkPolicy row = TenantNetworkPolicy.findById(tenant);
        return row == null ? null : row.policy;
    }

    /** The caller narrows running sandboxes to it ({@link SandboxGateway#narrowToTenant}). */
    @Override
    protected void store(String tenant, NetworkPolicy policy, Instant updatedAt) {
        TenantNetworkPolicy row = TenantNetworkPolicy.findById(tenant);
        if (row == null) {
            row = new TenantNetworkPolicy();
            row.tenant = tenant;
        }
        row.policy = policy;
        row.updatedAt = updatedAt;
        row.persist();
    }

    @Override
    protected boolean remove(String tenant) {
        return TenantNetworkPolicy.deleteById(tenant);
    }

    /** @throws ApiException {@code invalid_network_policy} for a bad entry */
    @Override
    protected NetworkPolicy validated(NetworkPolicy policy) {
        return policy.validated();
    }

    @Override
    protected String kind() {
        return "network policy";
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
