package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * {@code GET /quotas/summary}, exactly as StacyVM answers it (its {@code docs/rest-api.md}; the
 * Python SDK builds {@code QuotaSummary(**json)}, so no field may be added): how many owners have
 * an override, and how many of those set each limit. No owner is named.
 *
 * @param total                 owners with an override
 * @param withMaxSandboxes      overrides that set {@code max_sandboxes}
 * @param withMaxTtl            overrides that set {@code max_ttl}
 * @param withMaxExecTimeout    overrides that set {@code max_exec_timeout}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record QuotaSummary(int total, int withMaxSandboxes, int withMaxTtl, int withMaxExecTimeout) {
}
