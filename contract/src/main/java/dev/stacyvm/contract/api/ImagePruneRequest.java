package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code POST /images/prune}: collect unused images on every worker now. A field left
 * out is the worker's own setting ({@code stacyvm.worker.images.unused-for}, {@code disk-budget-mb}).
 */
@Schema(description = "The body of POST /api/v1/images/prune (administrators only): remove, on every worker, images "
        + "unused for unused_for, least recently used first, while its images take more than disk_budget_mb. "
        + "Never an image a container runs, the default image, a template's or a warm pool's.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ImagePruneRequest(
        @Schema(description = "A Go duration: images used more recently stay. Left out: the worker's setting (1h).",
                examples = "24h")
        String unusedFor,
        @Schema(description = "MiB the images may take on each worker; 0 removes every image that may go. Left out: "
                + "the worker's setting (20480).", examples = "0")
        Long diskBudgetMb) {
}
