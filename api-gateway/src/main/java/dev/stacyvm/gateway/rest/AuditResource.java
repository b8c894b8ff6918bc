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
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
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
    public Response query(@Context UriInfo uri,
                          @QueryParam("actor") String actor,
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
            java.net.URI next = uri.getRequestUriBuilder().replaceQueryParam("after_id", records.get(records.size() - 1).id()).build();
            page.header("Link", "<" + next.getRawPath() + "?" + next.getRawQuery() + ">; rel=\"next\"");
        }
        return page.build();
    }

    /** Whether the audit log's hash chain is intact, and where it breaks if not. */
    @GET
    @Path("/verify")
    @Produces("application/json")
    public AuditVerification verify() {
        return services.audit().verify();
    }
}
