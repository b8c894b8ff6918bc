package dev.stacyvm.contract.api;

/**
 * The owner model: what an owner id says and how it is spelled. Everything a caller creates
 * belongs to one owner, and an owner lives inside exactly one key's namespace, which lives inside
 * one tenant:
 *
 * <pre>
 *   tenant:key          what the key (or token) creates for itself
 *   tenant:key:user     what it creates for its end user {@code user} (X-User-ID)
 *   tenant::user        a pre-2026-12 end-user record whose creating key is unknown: no key reaches it
 * </pre>
 *
 * {@code tenant} matches {@code [a-z0-9][a-z0-9._-]{0,62}} (no colon). {@code key} is the key's
 * name with {@code %}, {@code :} and {@code @} percent-encoded ({@link #keyOfApiKey}), or {@code @}
 * and the encoded subject for an OIDC token ({@link #keyOfToken}), so an API key and a token can
 * never share a namespace and no key name can reach into another key's. Neither a tenant nor a key
 * holds a colon, so the first two colons split an owner id unambiguously and {@code user}, the
 * rest, may hold colons of its own ({@code default:ci-bot:org:alice} is key ci-bot's end user
 * {@code org:alice}).
 * The key id {@code tenant:key} names a key's namespace (its limits and usage).
 */
public final class OwnerIds {

    private OwnerIds() {
    }

    /** The owner a caller acts as: its key's own ({@code userId} null) or its end user's. */
    public static String owner(String tenant, String key, String userId) {
        return userId == null ? tenant + ":" + key : tenant + ":" + key + ":" + userId;
    }

    /** The key part of an owner id for the API key named {@code name}. */
    public static String keyOfApiKey(String name) {
        return encode(name);
    }

    /** The key part of an owner id for an OIDC token of {@code subject}: never equal to an API key's. */
    public static String keyOfToken(String subject) {
        return "@" + encode(subject);
    }

    /** The tenant of an owner id (or of a key id), or {@code null} when it is not one. */
    public static String tenantOf(String ownerId) {
        int colon = ownerId == null ? -1 : ownerId.indexOf(':');
        return colon < 1 ? null : ownerId.substring(0, colon);
    }

    /** The key id ({@code tenant:key}) whose namespace an owner id lives in, or {@code null} when it is not one. */
    public static String keyIdOf(String ownerId) {
        int first = ownerId == null ? -1 : ownerId.indexOf(':');
        if (first < 1) {
            return null;
        }
        int second = ownerId.indexOf(':', first + 1);
        return second < 0 ? ownerId : ownerId.substring(0, second);
    }

    private static String encode(String name) {
        StringBuilder encoded = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            switch (c) {
                case '%' -> encoded.append("%25");
                case ':' -> encoded.append("%3A");
                case '@' -> encoded.append("%40");
                default -> encoded.append(c);
            }
        }
        return encoded.toString();
    }
}
