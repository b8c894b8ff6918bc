package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One row of the audit log as {@code GET /api/v1/admin/audit} lists it, in StacyVM's field names
 * where it has them ({@code id}, {@code actor}, {@code request_id}, {@code created_at}). {@code id}
 * is the position in the log; records are listed in that order.
 */
@Schema(description = "One record of the audit log as GET /api/v1/admin/audit lists it, in StacyVM's field names where "
        + "it has them (id, actor, request_id, created_at); records are listed in id order.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AuditRecordView(
        @Schema(description = "The record's position in the log; after_id pages on from it.", examples = "1042")
        long id,
        @Schema(description = "The id (a UUID) of the audit event the record was written from; delivery is at least "
                + "once, and the log holds each event once.")
        UUID eventId,
        @Schema(description = "The type of that event.", examples = "audit.recorded")
        String eventType,
        @Schema(description = "When the action happened: an ISO-8601 UTC instant.",
                examples = "2026-11-23T14:15:02.370494Z")
        Instant createdAt,
        @Schema(description = "Who acted, such as a key's tenant/name and the end user it acted for; anonymous or "
                + "unknown key for a refused credential.", examples = "default/bootstrap-admin for alice")
        String actor,
        @Schema(description = "What was done, a dotted name such as sandbox.create, sandbox.exec, file.write, "
                + "api_key.create or auth.denied.", examples = "sandbox.exec")
        String action,
        @Schema(description = "What it was done to: a sandbox id, a path, a key id, ...", examples = "sb-aadf2717b576")
        String target,
        @Schema(description = "success, failure or denied.", examples = "success")
        String outcome,
        @Schema(description = "The owner the action concerned, when there is one.", examples = "default:alice")
        String ownerId,
        @Schema(description = "The sandbox it concerned, when there is one.", examples = "sb-aadf2717b576")
        String sandboxId,
        @Schema(description = "The worker it concerned, when there is one.", examples = "worker-host1-7425")
        String workerId,
        @Schema(description = "The id of the API request that did it.",
                examples = "3d87642d-a472-403b-9e14-9d650fcaa12b")
        String requestId,
        @Schema(description = "The address the request came from.", examples = "127.0.0.1")
        String sourceAddress,
        @Schema(description = "A short note (at most 256 characters) that never carries secrets or file contents; file "
                + "actions name the path.", examples = "exit_code=0 command: python3 -c 'print(40+2)'")
        String detail,
        @Schema(description = "The OpenTelemetry trace id (32 hex digits) of the API request that did it: the same "
                + "trace id is in the services' log lines and spans of that request. Null for records without one "
                + "(written before tracing, or by the scheduler).", examples = "4bf92f3577b34da6a3ce929d0e0e4736")
        String traceId) {
}
