package dev.stacyvm.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stacyvm.contract.api.AuditRecordView;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AuditCsvTest {

    @Test
    void writesAHeaderAndOneQuotedLinePerRecord() {
        UUID eventId = UUID.fromString("395fc1dd-c35a-47bb-94d5-9f7cfbe16139");
        AuditRecordView record = new AuditRecordView(7, eventId, "audit.recorded", Instant.parse("2026-11-23T14:15:02Z"),
                "default/key", "sandbox.exec", "sb-12345678", "success", "default:alice", "sb-12345678", "w1",
                "req-1", "127.0.0.1", "exit_code=0 command: echo \"a,b\"\nls", "4bf92f3577b34da6a3ce929d0e0e4736");
        String csv = AuditCsv.write(List.of(record));
        assertEquals(AuditCsv.HEADER + "\r\n"
                + "7,395fc1dd-c35a-47bb-94d5-9f7cfbe16139,audit.recorded,2026-11-23T14:15:02Z,default/key,sandbox.exec,"
                + "sb-12345678,success,default:alice,sb-12345678,w1,req-1,127.0.0.1,"
                + "\"exit_code=0 command: echo \"\"a,b\"\"\nls\",4bf92f3577b34da6a3ce929d0e0e4736\r\n", csv);
        assertEquals("trace_id", AuditCsv.HEADER.substring(AuditCsv.HEADER.lastIndexOf(',') + 1));
    }

    @Test
    void neutralisesSpreadsheetFormulas() {
        assertEquals("'=HYPERLINK(1)", AuditCsv.field("=HYPERLINK(1)"));
        assertEquals("'-2+3", AuditCsv.field("-2+3"));
        assertEquals("", AuditCsv.field(null));
    }
}
