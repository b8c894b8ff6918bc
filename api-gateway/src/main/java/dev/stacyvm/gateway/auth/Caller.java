package dev.stacyvm.gateway.auth;

import dev.stacyvm.contract.api.OwnerIds;

/**
 * Who is calling: the API key's (or token's) tenant, name and role, its key part of owner ids
 * ({@code key}: {@link OwnerIds#keyOfApiKey} or {@link OwnerIds#keyOfToken}), and the end user the
 * application acts for. The owner of what the caller creates is {@code tenant:key}, or
 * {@code tenant:key:user} for its end user: a key's end users live in its own namespace, so no key
 * can name another key, or another key's end user, as its own end user.
 */
public record Caller(String tenant, String keyName, String key, Role role, String userId) {

    public String ownerId() {
        return OwnerIds.owner(tenant, key, userId);
    }

    /** The id of the caller's key namespace, {@code tenant:key}: what its per-key limits apply to. */
    public String keyId() {
        return OwnerIds.owner(tenant, key, null);
    }

    /** The same caller acting for another of its own end users ({@code null}: for itself). */
    public Caller forUser(String otherUserId) {
        return new Caller(tenant, keyName, key, role, otherUserId);
    }

    /** Whether this caller may see what {@code ownerId} owns. */
    public boolean maySee(String ownerId) {
        return switch (role) {
            case ADMIN -> true;
            case OPERATOR -> userId == null ? tenant.equals(OwnerIds.tenantOf(ownerId)) : ownerId.equals(ownerId());
            case USER, VIEWER -> ownerId.equals(ownerId());
        };
    }

    /**
     * Which sandboxes a listing shows: all ({@code null} owner and tenant) for an administrator,
     * the tenant's for an operator, otherwise the caller's own; naming a user narrows to that user.
     */
    public ListScope listScope() {
        if (userId != null || role == Role.USER || role == Role.VIEWER) {
            return new ListScope(ownerId(), null);
        }
        return role == Role.ADMIN ? new ListScope(null, null) : new ListScope(null, tenant);
    }

    public record ListScope(String owner, String tenant) {
    }

    /** The audit actor: the key, and the end user when one is named. */
    public String actor() {
        return userId == null ? tenant + "/" + keyName : tenant + "/" + keyName + " for " + userId;
    }
}
