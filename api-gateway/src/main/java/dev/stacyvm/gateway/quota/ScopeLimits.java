package dev.stacyvm.gateway.quota;

import dev.stacyvm.contract.api.ScopeQuotaView;
import dev.stacyvm.contract.internal.OwnerLimits;
import java.time.Instant;

/**
 * The limits on what all owners of one key or one tenant hold together ({@code scope} {@code key}
 * or {@code tenant}); a {@code null} limit is none. Without an administrator's override there are
 * none at all, and each owner's own quota is what holds.
 */
public record ScopeLimits(
        String scope,
        String subject,
        Integer maxSandboxes,
        Integer maxMemoryMb,
        Integer maxVcpus,
        Integer requestsPerMinute,
        boolean override,
        Instant updatedAt,
        Integer maxDiskMb) {

    static ScopeLimits none(String scope, String subject) {
        return new ScopeLimits(scope, subject, null, null, null, null, false, null, null);
    }

    /** The totals the scheduler enforces at create; {@code null} when none is set. */
    public OwnerLimits limits() {
        if (maxSandboxes == null && maxMemoryMb == null && maxVcpus == null && maxDiskMb == null) {
            return null;
        }
        return new OwnerLimits(orUnbounded(maxSandboxes), orUnbounded(maxMemoryMb), orUnbounded(maxVcpus), maxDiskMb);
    }

    /** Requests a minute for the scope's bucket; 0 is no rate limit. */
    public int perMinute() {
        return requestsPerMinute == null ? 0 : requestsPerMinute;
    }

    public ScopeQuotaView view() {
        return new ScopeQuotaView(scope, subject, maxSandboxes, maxMemoryMb, maxVcpus, requestsPerMinute,
                override ? "override" : "default", updatedAt, maxDiskMb);
    }

    private static int orUnbounded(Integer limit) {
        return limit == null ? Integer.MAX_VALUE : limit;
    }
}
