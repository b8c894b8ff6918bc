package dev.stacyvm.support.client;

import dev.stacyvm.contract.api.AuditRecordView;
import dev.stacyvm.contract.api.AuditVerification;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The audit service's query route; times are ISO-8601 instants. */
@Path("/internal/audit")
@Produces(MediaType.APPLICATION_JSON)
public interface AuditApi {

    @GET
    List<AuditRecordView> query(@QueryParam("actor") String actor,
                                @QueryParam("action") String action,
                                @QueryParam("target") String target,
                                @QueryParam("since") String since,
                                @QueryParam("until") String until,
                                @QueryParam("after_id") Long afterId,
                                @QueryParam("limit") Integer limit);

    @GET
    @Path("/verify")
    AuditVerification verify();
}
