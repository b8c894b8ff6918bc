package dev.stacyvm.support.auth;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Only a worker may call this route, with its own credential in
 * {@value ServiceCredential#WORKER_HEADER}; the method must then check with
 * {@link AuthenticatedWorker#requireSelf(String)} that the worker acts for itself only.
 */
@AccessRule
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface CalledByWorker {
}
