package dev.stacyvm.support.limits;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Bounds on request bodies, the same keys in every service ({@code stacyvm.limits.*}, from the
 * environment as {@code STACYVM_LIMITS_*}). They are enforced while a body is read, whatever its
 * encoding (a declared {@code Content-Length} or chunked), by {@link RequestBodyLimitFilter}.
 */
@ConfigMapping(prefix = "stacyvm.limits")
public interface RequestLimits {

    /**
     * The largest body, in bytes, of a route that reads its body whole (JSON); a larger one is
     * {@code 413 payload_too_large}.
     */
    @WithDefault("67108864")
    long maxJsonBodyBytes();

    /**
     * The largest body, in bytes, of a route that streams its body (tar archive uploads); a larger
     * one is {@code 413 payload_too_large}, and the stream stops there.
     */
    @WithDefault("4294967296")
    long maxStreamBodyBytes();

    /**
     * How long a request may keep the service waiting for the next byte of its body; past it the
     * request is {@code 408 request_timeout} and its connection is closed, so no thread waits on it.
     */
    @WithDefault("30s")
    Duration bodyIdleTimeout();
}
