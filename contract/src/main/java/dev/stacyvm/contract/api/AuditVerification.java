package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Whether the audit log's hash chain is intact from its first remaining record on, and if not, the
 * first record where it breaks and why.
 */
@Schema(description = "What GET /api/v1/admin/audit/verify answers: whether the audit log's hash chain is intact from "
        + "its first remaining record on, and if not, where it breaks and why.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AuditVerification(
        @Schema(description = "True when every record checked out and the chain reaches its recorded head.")
        boolean intact,
        @Schema(description = "How many records were verified (before the break, when there is one).",
                examples = "1042")
        long records,
        @Schema(description = "The id of the first record verified; null when none was.", examples = "1")
        Long firstId,
        @Schema(description = "The id of the last record verified; null when none was.", examples = "1042")
        Long lastId,
        @Schema(description = "The id of the record where the chain breaks; null when it is intact or the break is "
                + "not at one record.")
        Long brokenAt,
        @Schema(description = "Why the chain is broken; null when it is intact.")
        String reason) {
}
