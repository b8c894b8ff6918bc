package dev.stacyvm.audit.service;

import dev.stacyvm.audit.AuditRecord;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.AuditRecordView;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Finds audit records by actor, action, target and time, in log order, a page at a time. */
@ApplicationScoped
public class AuditQuery {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    @Transactional
    public List<AuditRecordView> find(String actor, String action, String target, String since, String until,
                                      Long afterId, Integer limit) {
        List<String> where = new ArrayList<>();
        Parameters parameters = new Parameters();
        if (present(actor)) {
            where.add("actor = :actor");
            parameters.and("actor", actor);
        }
        if (present(action)) {
            where.add("action = :action");
            parameters.and("action", action);
        }
        if (present(target)) {
            where.add("target = :target");
            parameters.and("target", target);
        }
        if (present(since)) {
            where.add("occurredAt >= :since");
            parameters.and("since", instant("since", since));
        }
        if (present(until)) {
            where.add("occurredAt < :until");
            parameters.and("until", instant("until", until));
        }
        if (afterId != null) {
            where.add("id > :afterId");
            parameters.and("afterId", afterId);
        }
        int pageSize = limit == null ? DEFAULT_LIMIT : limit;
        if (pageSize < 1 || pageSize > MAX_LIMIT) {
            throw ApiException.badRequest("limit must be between 1 and " + MAX_LIMIT);
        }
        String query = (where.isEmpty() ? "" : String.join(" and ", where)) + " order by id";
        return AuditRecord.<AuditRecord>find(query, parameters).page(0, pageSize).list().stream()
                .map(AuditQuery::view)
                .toList();
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    private static Instant instant(String name, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(name + " must be an ISO-8601 UTC time such as 2026-01-31T12:00:00Z");
        }
    }

    private static AuditRecordView view(AuditRecord record) {
        return new AuditRecordView(record.id, record.eventId, record.eventType, record.occurredAt, record.actor,
                record.action, record.target, record.outcome, record.ownerId, record.sandboxId, record.workerId,
                record.requestId, record.sourceAddress, record.detail, record.traceId);
    }
}
