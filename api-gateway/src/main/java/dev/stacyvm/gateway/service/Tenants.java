package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.ApiException;

/** Tenant names as routes take them in their path ({@code /tenants/{tenant}/...}). */
public final class Tenants {

    private Tenants() {
    }

    /**
     * The tenant name, checked.
     *
     * @throws ApiException {@code bad_request} unless it matches {@value ApiKeys#TENANT_PATTERN}
     */
    public static String valid(String tenant) {
        if (tenant == null || !tenant.matches(ApiKeys.TENANT_PATTERN)) {
            throw ApiException.badRequest("tenant must match " + ApiKeys.TENANT_PATTERN);
        }
        return tenant;
    }
}
