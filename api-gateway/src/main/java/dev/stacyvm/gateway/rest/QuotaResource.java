package dev.stacyvm.gateway.rest;

import dev.stacyvm.gateway.auth.Access;
import dev.stacyvm.contract.api.QuotaRequest;
import dev.stacyvm.contract.api.QuotaSummary;
import dev.stacyvm.contract.api.QuotaUsage;
import dev.stacyvm.contract.api.QuotaView;
import dev.stacyvm.contract.api.StatusResponse;
import dev.stacyvm.gateway.service.AuditTrail;
import dev.stacyvm.gateway.service.Quotas;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * StacyVM's quota routes (administrators only): the default quota, per-owner overrides and what
 * each owner uses. Owners are {@code tenant:user}.
 */
@Access(Access.Level.ADMIN)
@Path("/api/v1/quotas")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "operations")
public class QuotaResource {

    @Inject
    Quotas quotas;

    @Inject
    AuditTrail audit;

    /** Every owner with an override, with their effective limits. */
    @GET
    public List<QuotaView> list() {
        return quotas.list();
    }

    @GET
    @Path("/summary")
    public QuotaSummary summary() {
        return quotas.summary();
    }

    /** The owner's effective quota; {@code source} says whether an override applies. */
    @GET
    @Path("/{owner}")
    public QuotaView get(@PathParam("owner") String owner) {
        return quotas.get(owner);
    }

    @PUT
    @Path("/{owner}")
    public QuotaView put(@PathParam("owner") String owner, QuotaRequest request) {
        return audit.around("quota.set", null, owner, () -> quotas.put(owner, request), QuotaResource::describe);
    }

    @DELETE
    @Path("/{owner}")
    public StatusResponse delete(@PathParam("owner") String owner) {
        return audit.around("quota.delete", null, owner, () -> {
            quotas.delete(owner);
            return new StatusResponse("deleted");
        }, done -> null);
    }

    @GET
    @Path("/{owner}/usage")
    public QuotaUsage usage(@PathParam("owner") String owner) {
        return quotas.usage(owner);
    }

    private static String describe(QuotaView quota) {
        return "max_sandboxes=" + quota.maxSandboxes() + " max_ttl=" + quota.maxTtl() + " max_exec_timeout="
                + quota.maxExecTimeout() + " max_memory_mb=" + quota.maxMemoryMb() + " max_vcpus=" + quota.maxVcpus()
                + " requests_per_minute=" + quota.requestsPerMinute();
    }
}
