package dev.stacyvm.gateway.auth;

import java.util.Locale;

/**
 * What a key may do. {@code user}: its own sandboxes and templates. {@code viewer}: the same, read
 * only. {@code operator}: every sandbox of its tenant, plus the workers and providers.
 * {@code admin}: everything, every tenant, the audit log and the keys.
 */
public enum Role {
    USER, VIEWER, OPERATOR, ADMIN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role fromWireName(String name) {
        if (name == null) {
            return null;
        }
        for (Role role : values()) {
            if (role.wireName().equals(name)) {
                return role;
            }
        }
        return null;
    }
}
