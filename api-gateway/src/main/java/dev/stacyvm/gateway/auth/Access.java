package dev.stacyvm.gateway.auth;

import dev.stacyvm.support.auth.AccessRule;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Who may call a public route, declared on the resource method (or its class) and enforced by
 * {@link ApiKeyFilter} on the method the router matched, so that no spelling of a path changes it.
 * A method without it is refused (deny by default).
 */
@AccessRule
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Access {

    Level value();

    /** From the most open to the most closed. */
    enum Level {
        /** No key needed: health and metrics. */
        OPEN,
        /** Any valid key or token, a viewer's included; only on reading methods. */
        READ,
        /** Any role but viewer. */
        WRITE,
        /** Operator or admin keys. */
        OPERATOR,
        /** Admin keys only. */
        ADMIN;

        /** Why {@code role} may not call a route of this level, or null when it may. */
        String refusal(Role role) {
            return switch (this) {
                case OPEN, READ -> null;
                case WRITE -> role == Role.VIEWER ? "viewer keys may only read" : null;
                case OPERATOR -> role == Role.ADMIN || role == Role.OPERATOR ? null : "operator or admin API key required";
                case ADMIN -> role == Role.ADMIN ? null : "admin API key required";
            };
        }
    }
}
