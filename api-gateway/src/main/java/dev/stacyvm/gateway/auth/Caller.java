package dev.stacyvm.gateway.auth;

/**
 * Who is calling: the API key's tenant, name and role, and the end user the application acts for.
 * The owner of what the caller creates is {@code tenant:user}.
 */
public record Caller(String tenant, String keyName, String role, String userId) {

    public static final String ADMIN = "admin";

    public String ownerId() {
        return tenant + ":" + (userId != null ? userId : keyName);
    }

    public boolean isAdmin() {
        return ADMIN.equals(role);
    }

    /** The audit actor: the key, and the end user when one is named. */
    public String actor() {
        return userId == null ? tenant + "/" + keyName : tenant + "/" + keyName + " for " + userId;
    }
}
