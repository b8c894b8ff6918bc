package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

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
@Schema(description = "What GET /api/v1/quotas/summary answers, exactly as StacyVM does: how many owners have an "
        + "override, and how many of those set each of StacyVM's limits. No owner is named.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record QuotaSummary(
        @Schema(description = "Owners with an override.", examples = "4")
        int total,
        @Schema(description = "Overrides that set max_sandboxes.", examples = "3")
        int withMaxSandboxes,
        @Schema(description = "Overrides that set max_ttl.", examples = "1")
        int withMaxTtl,
        @Schema(description = "Overrides that set max_exec_timeout.", examples = "0")
        int withMaxExecTimeout) {
}
