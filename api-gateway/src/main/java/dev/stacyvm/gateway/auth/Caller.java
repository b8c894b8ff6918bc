package dev.stacyvm.gateway.auth;

/**
 * Who is calling: the API key's tenant, name and role, and the end user the application acts for.
 * The owner of what the caller creates is {@code tenant:user} (the key's name when no user is
 * named).
 */
public record Caller(String tenant, String keyName, Role role, String userId) {

    public String ownerId() {
        return tenant + ":" + (userId != null ? userId : keyName);
    }

    /** Whether this caller may see what {@code ownerId} owns. */
    public boolean maySee(String ownerId) {
        return switch (role) {
            case ADMIN -> true;
            case OPERATOR -> userId == null ? ownerId.startsWith(tenant + ":") : ownerId.equals(ownerId());
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
