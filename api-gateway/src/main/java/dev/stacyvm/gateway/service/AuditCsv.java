package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.AuditRecordView;
import java.util.List;

/** Audit records as RFC 4180 CSV, one header line then a line per record. */
public final class AuditCsv {

    static final String HEADER = "id,event_id,event_type,created_at,actor,action,target,outcome,owner_id,"
            + "sandbox_id,worker_id,request_id,source_address,detail,trace_id";

    private AuditCsv() {
    }

    public static String write(List<AuditRecordView> records) {
        StringBuilder csv = new StringBuilder(HEADER).append("\r\n");
        for (AuditRecordView r : records) {
            Object[] fields = {r.id(), r.eventId(), r.eventType(), r.createdAt(), r.actor(), r.action(), r.target(),
                r.outcome(), r.ownerId(), r.sandboxId(), r.workerId(), r.requestId(), r.sourceAddress(), r.detail(),
                r.traceId()};
            for (int i = 0; i < fields.length; i++) {
                if (i > 0) {
                    csv.append(',');
                }
                csv.append(field(fields[i]));
            }
            csv.append("\r\n");
        }
        return csv.toString();
    }

    static String field(Object value) {
        if (value == null) {
            return "";
        }
        String text = value.toString();
        // a leading =, +, - or @ would be a formula in a spreadsheet
        if (!text.isEmpty() && "=+-@".indexOf(text.charAt(0)) >= 0) {
            text = "'" + text;
        }
        if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
            return "\"" + text.replace("\"", "\"\"") + "\"";
        }
        return text;
    }
}
