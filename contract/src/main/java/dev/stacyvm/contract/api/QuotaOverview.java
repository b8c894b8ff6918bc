package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * {@code GET /quotas/overview} (StacyVM extension): the default quota, how many owners have an
 * override, and the usage of every owner with live sandboxes, those nearest their limits first.
 */
@Schema(description = "What GET /api/v1/quotas/overview answers: the default quota, how many owners "
        + "have an override, and the usage of every owner with live sandboxes.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record QuotaOverview(
        @Schema(description = "The default quota every owner without an override has (owner_id empty).")
        QuotaView defaults,
        @Schema(description = "How many owners have an override.", examples = "4")
        int overrides,
        @Schema(description = "Every owner with live sandboxes, those nearest one of their limits first.")
        List<QuotaUsage> owners) {
}
