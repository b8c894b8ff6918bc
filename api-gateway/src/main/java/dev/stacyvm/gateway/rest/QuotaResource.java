package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.QuotaOverview;
import dev.stacyvm.contract.api.QuotaRequest;
import dev.stacyvm.contract.api.QuotaSummary;
import dev.stacyvm.contract.api.QuotaUsage;
import dev.stacyvm.contract.api.QuotaView;
import dev.stacyvm.contract.api.ScopeQuotaRequest;
import dev.stacyvm.contract.api.ScopeQuotaView;
import dev.stacyvm.contract.api.ScopeUsage;
import dev.stacyvm.contract.api.StatusResponse;
import dev.stacyvm.gateway.auth.Access;
import dev.stacyvm.gateway.quota.Quotas;
import dev.stacyvm.gateway.quota.ScopeQuota;
import dev.stacyvm.gateway.service.AuditTrail;
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
 * each owner uses. Owners are {@code tenant:key} or {@code tenant:key:user} ({@link
 * dev.stacyvm.contract.api.OwnerIds}). Ours beside them: limits on what all owners of one key
 * ({@code /quotas/keys/{tenant:key}}) or one tenant ({@code /quotas/tenants/{tenant}}) hold together.
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

    /**
     * StacyVM's summary, field for field (its SDKs unpack it whole): counts of the overrides and
     * of each limit they set.
     */
    @GET
    @Path("/summary")
    public QuotaSummary summary() {
        return quotas.summary();
    }

    /** StacyVM extension: the default quota, the overrides' count and every owner's usage, fullest first. */
    @GET
    @Path("/overview")
    public QuotaOverview overview() {
        return quotas.overview();
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

    /** Every key and tenant with limits set. */
    @GET
    @Path("/scopes")
    public List<ScopeQuotaView> scopes() {
        return quotas.listScopes();
    }

    /** The limits of the key {@code tenant:key}: what all its owners hold together. */
    @GET
    @Path("/keys/{key}")
    public ScopeQuotaView getKey(@PathParam("key") String key) {
        return quotas.getScope(ScopeQuota.KEY, key);
    }

    @PUT
    @Path("/keys/{key}")
    public ScopeQuotaView putKey(@PathParam("key") String key, ScopeQuotaRequest request) {
        return audit.around("quota.set", null, key, () -> quotas.putScope(ScopeQuota.KEY, key, request),
                QuotaResource::describe);
    }

    @DELETE
    @Path("/keys/{key}")
    public StatusResponse deleteKey(@PathParam("key") String key) {
        return audit.around("quota.delete", null, key, () -> {
            quotas.deleteScope(ScopeQuota.KEY, key);
            return new StatusResponse("deleted");
        }, done -> "key " + key);
    }

    @GET
    @Path("/keys/{key}/usage")
    public ScopeUsage keyUsage(@PathParam("key") String key) {
        return quotas.scopeUsage(ScopeQuota.KEY, key);
    }

    /** The limits of the tenant: what all its owners hold together. */
    @GET
    @Path("/tenants/{tenant}")
    public ScopeQuotaView getTenant(@PathParam("tenant") String tenant) {
        return quotas.getScope(ScopeQuota.TENANT, tenant);
    }

    @PUT
    @Path("/tenants/{tenant}")
    public ScopeQuotaView putTenant(@PathParam("tenant") String tenant, ScopeQuotaRequest request) {
        return audit.around("quota.set", null, null, () -> quotas.putScope(ScopeQuota.TENANT, tenant, request),
                QuotaResource::describe);
    }

    @DELETE
    @Path("/tenants/{tenant}")
    public StatusResponse deleteTenant(@PathParam("tenant") String tenant) {
        return audit.around("quota.delete", null, null, () -> {
            quotas.deleteScope(ScopeQuota.TENANT, tenant);
            return new StatusResponse("deleted");
        }, done -> "tenant " + tenant);
    }

    @GET
    @Path("/tenants/{tenant}/usage")
    public ScopeUsage tenantUsage(@PathParam("tenant") String tenant) {
        return quotas.scopeUsage(ScopeQuota.TENANT, tenant);
    }

    private static String describe(ScopeQuotaView quota) {
        return quota.scope() + " " + quota.subject() + " max_sandboxes=" + quota.maxSandboxes() + " max_memory_mb="
                + quota.maxMemoryMb() + " max_vcpus=" + quota.maxVcpus() + " requests_per_minute=" + quota.requestsPerMinute();
    }

    private static String describe(QuotaView quota) {
        return "max_sandboxes=" + quota.maxSandboxes() + " max_ttl=" + quota.maxTtl() + " max_exec_timeout="
                + quota.maxExecTimeout() + " max_memory_mb=" + quota.maxMemoryMb() + " max_vcpus=" + quota.maxVcpus()
                + " requests_per_minute=" + quota.requestsPerMinute();
    }
}
