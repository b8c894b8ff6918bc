package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Whether the audit log's hash chain is intact from its first remaining record on, and if not, the
 * first record where it breaks and why.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AuditVerification(boolean intact, long records, Long firstId, Long lastId, Long brokenAt, String reason) {
}
