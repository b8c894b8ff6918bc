package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * {@code GET /quotas/overview} (StacyVM extension): the default quota, how many owners have an
 * override, and the usage of every owner with live sandboxes, those nearest their limits first.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record QuotaOverview(QuotaView defaults, int overrides, List<QuotaUsage> owners) {
}
