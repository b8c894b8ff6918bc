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
import org.eclipse.microprofile.openapi.annotations.Operation;

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
    @Operation(summary = "Owners with an override", description = "Every owner with limits of its own, with its effective limits (the defaults for what the override leaves out).")
    @GET
    public List<QuotaView> list() {
        return quotas.list();
    }

    /**
     * StacyVM's summary, field for field (its SDKs unpack it whole): counts of the overrides and
     * of each limit they set.
     */
    @Operation(summary = "How many owners have overrides", description = "StacyVM's summary, field for field: counts only, no owner named.")
    @GET
    @Path("/summary")
    public QuotaSummary summary() {
        return quotas.summary();
    }

    /** StacyVM extension: the default quota, the overrides' count and every owner's usage, fullest first. */
    @Operation(summary = "Defaults, overrides and usage", description = "The default quota, how many owners have an override, and every owner with live sandboxes against its limits, nearest a limit first.")
    @GET
    @Path("/overview")
    public QuotaOverview overview() {
        return quotas.overview();
    }

    /** The owner's effective quota; {@code source} says whether an override applies. */
    @Operation(summary = "An owner's quota", description = "Its override where one is set, the defaults for the rest; source says which.")
    @GET
    @Path("/{owner}")
    public QuotaView get(@PathParam("owner") String owner) {
        return quotas.get(owner);
    }

    @Operation(summary = "Set an owner's quota", description = "The override is replaced whole; a field left out or null keeps the default. 400 for a value out of its range.")
    @PUT
    @Path("/{owner}")
    public QuotaView put(@PathParam("owner") String owner, QuotaRequest request) {
        return audit.around("quota.set", null, owner, () -> quotas.put(owner, request), QuotaResource::describe);
    }

    @Operation(summary = "Remove an owner's override", description = "The owner has the default quota again.")
    @DELETE
    @Path("/{owner}")
    public StatusResponse delete(@PathParam("owner") String owner) {
        return audit.around("quota.delete", null, owner, () -> {
            quotas.delete(owner);
            return new StatusResponse("deleted");
        }, done -> null);
    }

    @Operation(summary = "What an owner holds against its quota", description = "The sums over its live sandboxes (creating, running or unhealthy).")
    @GET
    @Path("/{owner}/usage")
    public QuotaUsage usage(@PathParam("owner") String owner) {
        return quotas.usage(owner);
    }

    /** Every key and tenant with limits set. */
    @Operation(summary = "Keys and tenants with limits", description = "Every key and tenant with limits on what all their owners hold together.")
    @GET
    @Path("/scopes")
    public List<ScopeQuotaView> scopes() {
        return quotas.listScopes();
    }

    /** The limits of the key {@code tenant:key}: what all its owners hold together. */
    @Operation(summary = "A key's limits", description = "What all owners of the key tenant:key (its own sandboxes and its end users') may hold together; null is no limit.")
    @GET
    @Path("/keys/{key}")
    public ScopeQuotaView getKey(@PathParam("key") String key) {
        return quotas.getScope(ScopeQuota.KEY, key);
    }

    @Operation(summary = "Set a key's limits", description = "Replaced whole; a field left out or null is no limit at the key. 400 for a value out of its range.")
    @PUT
    @Path("/keys/{key}")
    public ScopeQuotaView putKey(@PathParam("key") String key, ScopeQuotaRequest request) {
        return audit.around("quota.set", null, key, () -> quotas.putScope(ScopeQuota.KEY, key, request),
                QuotaResource::describe);
    }

    @Operation(summary = "Remove a key's limits", description = "Its owners are bounded by their own quotas and their tenant's limits only.")
    @DELETE
    @Path("/keys/{key}")
    public StatusResponse deleteKey(@PathParam("key") String key) {
        return audit.around("quota.delete", null, key, () -> {
            quotas.deleteScope(ScopeQuota.KEY, key);
            return new StatusResponse("deleted");
        }, done -> "key " + key);
    }

    @Operation(summary = "What a key's owners hold together", description = "Against the key's limits (null: none).")
    @GET
    @Path("/keys/{key}/usage")
    public ScopeUsage keyUsage(@PathParam("key") String key) {
        return quotas.scopeUsage(ScopeQuota.KEY, key);
    }

    /** The limits of the tenant: what all its owners hold together. */
    @Operation(summary = "A tenant's limits", description = "What all owners of the tenant may hold together; null is no limit.")
    @GET
    @Path("/tenants/{tenant}")
    public ScopeQuotaView getTenant(@PathParam("tenant") String tenant) {
        return quotas.getScope(ScopeQuota.TENANT, tenant);
    }

    @Operation(summary = "Set a tenant's limits", description = "Replaced whole; a field left out or null is no limit at the tenant. 400 for a value out of its range.")
    @PUT
    @Path("/tenants/{tenant}")
    public ScopeQuotaView putTenant(@PathParam("tenant") String tenant, ScopeQuotaRequest request) {
        return audit.around("quota.set", null, null, () -> quotas.putScope(ScopeQuota.TENANT, tenant, request),
                QuotaResource::describe);
    }

    @Operation(summary = "Remove a tenant's limits", description = "Its owners are bounded by their own quotas and their key's limits only.")
    @DELETE
    @Path("/tenants/{tenant}")
    public StatusResponse deleteTenant(@PathParam("tenant") String tenant) {
        return audit.around("quota.delete", null, null, () -> {
            quotas.deleteScope(ScopeQuota.TENANT, tenant);
            return new StatusResponse("deleted");
        }, done -> "tenant " + tenant);
    }

    @Operation(summary = "What a tenant's owners hold together", description = "Against the tenant's limits (null: none).")
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
