package dev.stacyvm.gateway.rest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a route whose body is an upload into a sandbox, so it counts against the caller's
 * concurrent uploads ({@link UploadSlotFilter}); routes that stream their body count without it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Upload {
}
