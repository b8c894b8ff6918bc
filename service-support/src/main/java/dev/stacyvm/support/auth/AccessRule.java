package dev.stacyvm.support.auth;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an annotation as an access rule. Every resource method must carry one, on itself or on
 * its class: {@link RouteAuthorizationFilter} refuses a matched method that has none. The rules
 * of this module ({@link InternalApi}, {@link CalledByWorker}) are enforced here; a service's own
 * rule (the gateway's roles) is enforced by that service's filter.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.ANNOTATION_TYPE)
public @interface AccessRule {
}
