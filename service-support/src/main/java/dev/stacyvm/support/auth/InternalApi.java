package dev.stacyvm.support.auth;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Only the control plane (gateway, scheduler) may call this route: the caller must present the
 * service token in {@value ServiceCredential#HEADER}. A worker's own credential is not enough.
 */
@AccessRule
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface InternalApi {
}
