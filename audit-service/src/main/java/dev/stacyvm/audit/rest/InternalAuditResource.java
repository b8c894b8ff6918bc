package dev.stacyvm.audit.rest;

import dev.stacyvm.audit.service.AuditQuery;
import dev.stacyvm.audit.service.AuditVerifier;
import dev.stacyvm.contract.api.AuditRecordView;
import dev.stacyvm.contract.api.AuditVerification;
import dev.stacyvm.support.auth.InternalApi;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The audit log's query route for the gateway; service-token only. */
@InternalApi
@Path("/internal/audit")
@Produces(MediaType.APPLICATION_JSON)
public class InternalAuditResource {

    @Inject
    AuditQuery query;

    @Inject
    AuditVerifier verifier;

    @GET
    public List<AuditRecordView> query(@QueryParam("actor") String actor,
                                       @QueryParam("action") String action,
                                       @QueryParam("target") String target,
                                       @QueryParam("since") String since,
                                       @QueryParam("until") String until,
                                       @QueryParam("after_id") Long afterId,
                                       @QueryParam("limit") Integer limit) {
        return query.find(actor, action, target, since, until, afterId, limit);
    }

    @GET
    @Path("/verify")
    public AuditVerification verify() {
        return verifier.verify();
    }
}
