package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.AuditRecordView;
import dev.stacyvm.contract.api.AuditVerification;
import dev.stacyvm.gateway.auth.Access;
import dev.stacyvm.gateway.service.AuditCsv;
import dev.stacyvm.gateway.service.InternalServices;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** {@code GET /api/v1/admin/audit}: the audit log for administrators ({@code ApiKeyFilter} checks the role), as JSON or CSV. */
@Access(Access.Level.ADMIN)
@Path("/api/v1/admin/audit")
@Blocking
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "operations")
public class AuditResource {

    @Inject
    InternalServices services;

    /**
     * The records the filters match, oldest first, as JSON ({@link AuditRecordView}[]) or CSV
     * ({@link AuditCsv}). A page that may have more after it carries {@code Link: <...>; rel="next"}
     * (RFC 8288): this query with {@code after_id} set to the page's last id, so that a client pages
     * through in either format with one request per page.
     */
    @GET
    @Produces({"application/json", "text/csv"})
    @Operation(summary = "The audit log", description = "Records oldest first, filtered by actor, action, target, since and until "
            + "(ISO-8601 instants), after_id and limit (1 to 1000); format=csv for CSV. A full page carries Link: <...>; rel=\"next\" "
            + "(RFC 8288), this query from its last id on.")
    public Response query(@QueryParam("actor") String actor,
                          @QueryParam("action") String action,
                          @QueryParam("target") String target,
                          @QueryParam("since") String since,
                          @QueryParam("until") String until,
                          @QueryParam("after_id") Long afterId,
                          @QueryParam("limit") Integer limit,
                          @QueryParam("format") String format) {
        List<AuditRecordView> records = services.audit().query(actor, action, target, since, until, afterId, limit);
        Response.ResponseBuilder page;
        if ("csv".equals(format)) {
            page = Response.ok(AuditCsv.write(records), "text/csv");
        } else if (format == null || format.isBlank() || "json".equals(format)) {
            page = Response.ok(records, "application/json");
        } else {
            throw ApiException.badRequest("format must be json or csv");
        }
        // without a limit the audit service's default applies: any page that is not empty may have more
        if (!records.isEmpty() && (limit == null || records.size() >= limit)) {
            Map<String, Object> query = new LinkedHashMap<>();
            query.put("actor", actor);
            query.put("action", action);
            query.put("target", target);
            query.put("since", since);
            query.put("until", until);
            query.put("after_id", records.get(records.size() - 1).id());
            query.put("limit", limit);
            query.put("format", format);
            page.header("Link", nextLink(query));
        }
        return page.build();
    }

    /**
     * {@code </api/v1/admin/audit?...>; rel="next"} (RFC 8288) for the parameters given (null ones
     * left out), each value percent-encoded (RFC 3986: a space is {@code %20}), so that whatever a
     * filter holds, the link is one valid header value that asks for exactly the same filters.
     */
    static String nextLink(Map<String, Object> query) {
        StringBuilder link = new StringBuilder("</api/v1/admin/audit");
        char separator = '?';
        for (Map.Entry<String, Object> parameter : query.entrySet()) {
            if (parameter.getValue() != null) {
                link.append(separator).append(parameter.getKey()).append('=')
                        .append(URLEncoder.encode(String.valueOf(parameter.getValue()), StandardCharsets.UTF_8).replace("+", "%20"));
                separator = '&';
            }
        }
        return link.append(">; rel=\"next\"").toString();
    }

    /** Whether the audit log's hash chain is intact, and where it breaks if not. */
    @GET
    @Path("/verify")
    @Produces("application/json")
    public AuditVerification verify() {
        return services.audit().verify();
    }
}
