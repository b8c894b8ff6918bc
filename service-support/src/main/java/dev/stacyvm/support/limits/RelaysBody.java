package dev.stacyvm.support.limits;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a route that takes no body parameter but relays its body as a Vert.x stream
 * ({@link RelayedRequestBody#of}); it is bounded as a streamed body, at
 * {@code stacyvm.limits.max-stream-body-bytes}, and never read whole.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RelaysBody {
}
