package dev.stacyvm.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.stacyvm.audit.service.AuditChain;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What a record's hash covers once records carry a trace id: records written before (none) must
 * verify exactly as they were hashed, and a record's trace id must be as tamper-evident as the rest.
 */
class AuditRecordHashTest {

    private static AuditRecord record(String traceId) {
        AuditRecord record = new AuditRecord();
        record.eventId = UUID.fromString("395fc1dd-c35a-47bb-94d5-9f7cfbe16139");
        record.eventType = "audit.recorded";
        record.occurredAt = Instant.parse("2026-11-23T14:15:02.370494Z");
        record.actor = "default/bootstrap-admin";
        record.action = "sandbox.exec";
        record.target = "sb-aadf2717b576";
        record.outcome = "success";
        record.ownerId = "default:bootstrap-admin";
        record.sandboxId = "sb-aadf2717b576";
        record.workerId = "worker-host1-7425";
        record.requestId = "3d87642d-a472-403b-9e14-9d650fcaa12b";
        record.sourceAddress = "127.0.0.1";
        record.detail = "exit_code=0 command: echo hi";
        record.payload = "{\"event_id\":\"395fc1dd-c35a-47bb-94d5-9f7cfbe16139\"}";
        record.traceId = traceId;
        return record;
    }

    @Test
    void aRecordWithoutATraceIdHashesAsRecordsDidBeforeTraceIds() {
        AuditRecord record = record(null);
        // the fourteen fields every record was hashed over before the trace id existed
        String before = AuditChain.hash("prev", record.eventId, record.eventType, record.occurredAt, record.actor,
                record.action, record.target, record.outcome, record.ownerId, record.sandboxId, record.workerId,
                record.requestId, record.sourceAddress, record.detail, record.payload);
        assertEquals(before, record.computeHash("prev"));
        byte[] key = "key-of-sixteen-chars".getBytes(StandardCharsets.UTF_8);
        assertEquals(AuditChain.keyed(key, "prev", record.eventId, record.eventType, record.occurredAt, record.actor,
                record.action, record.target, record.outcome, record.ownerId, record.sandboxId, record.workerId,
                record.requestId, record.sourceAddress, record.detail, record.payload),
                AuditChain.keyed(key, "prev", record.chainedFields()));
    }

    @Test
    void aRecordsTraceIdIsCoveredByItsHash() {
        String traced = record("4bf92f3577b34da6a3ce929d0e0e4736").computeHash("prev");
        assertNotEquals(record(null).computeHash("prev"), traced, "a trace id removed is a change");
        assertNotEquals(record("00f92f3577b34da6a3ce929d0e0e4736").computeHash("prev"), traced, "a trace id changed is a change");
        assertEquals(traced, record("4bf92f3577b34da6a3ce929d0e0e4736").computeHash("prev"));
    }
}
