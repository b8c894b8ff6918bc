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
import java.util.List;

/** {@code GET /api/v1/admin/audit}: the audit log for administrators ({@code ApiKeyFilter} checks the role), as JSON or CSV. */
@Access(Access.Level.ADMIN)
@Path("/api/v1/admin/audit")
@Blocking
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "operations")
public class AuditResource {

    @Inject
    InternalServices services;

    @GET
    @Produces({"application/json", "text/csv"})
    public Response query(@QueryParam("actor") String actor,
                          @QueryParam("action") String action,
                          @QueryParam("target") String target,
                          @QueryParam("since") String since,
                          @QueryParam("until") String until,
                          @QueryParam("after_id") Long afterId,
                          @QueryParam("limit") Integer limit,
                          @QueryParam("format") String format) {
        List<AuditRecordView> records = services.audit().query(actor, action, target, since, until, afterId, limit);
        if ("csv".equals(format)) {
            return Response.ok(AuditCsv.write(records), "text/csv").build();
        }
        if (format != null && !format.isBlank() && !"json".equals(format)) {
            throw ApiException.badRequest("format must be json or csv");
        }
        return Response.ok(records, "application/json").build();
    }

    /** Whether the audit log's hash chain is intact, and where it breaks if not. */
    @GET
    @Path("/verify")
    @Produces("application/json")
    public AuditVerification verify() {
        return services.audit().verify();
    }
}
