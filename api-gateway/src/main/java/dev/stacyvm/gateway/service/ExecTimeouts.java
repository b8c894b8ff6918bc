package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.time.GoDuration;
import java.time.Duration;

/**
 * The timeout an exec runs with: the one asked for (a Go duration, StacyVM's {@code timeout}), or
 * the default ({@code stacyvm.gateway.exec.default-timeout}), never above the owner's
 * {@code max_exec_timeout}.
 */
final class ExecTimeouts {

    private ExecTimeouts() {
    }

    /**
     * @param asked the request's {@code timeout}, or null or blank for the default
     * @param fallback the gateway's default timeout
     * @param max the owner's {@code max_exec_timeout}
     * @throws ApiException {@code bad_request} for a timeout that is not a positive Go duration;
     *     {@code resource_limit} (without Retry-After: waiting will not make it pass) for one above
     *     {@code max}
     */
    static Duration of(String asked, Duration fallback, Duration max) {
        if (asked == null || asked.isBlank()) {
            return fallback.compareTo(max) > 0 ? max : fallback;
        }
        Duration timeout = GoDuration.parsePositiveField("timeout", asked);
        if (timeout.compareTo(max) > 0) {
            throw new ApiException(ErrorCode.RESOURCE_LIMIT, "timeout " + GoDuration.format(timeout)
                    + " is above the owner's max_exec_timeout of " + GoDuration.format(max));
        }
        return timeout;
    }
}
