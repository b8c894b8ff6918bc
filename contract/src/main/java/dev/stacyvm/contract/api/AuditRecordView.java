package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.UUID;

/**
 * One row of the audit log as {@code GET /api/v1/admin/audit} lists it, in StacyVM's field names
 * where it has them ({@code id}, {@code actor}, {@code request_id}, {@code created_at}). {@code id}
 * is the position in the log; records are listed in that order.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AuditRecordView(
        long id,
        UUID eventId,
        String eventType,
        Instant createdAt,
        String actor,
        String action,
        String target,
        String outcome,
        String ownerId,
        String sandboxId,
        String workerId,
        String requestId,
        String sourceAddress,
        String detail) {
}
