package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.api.StatusResponse;
import dev.stacyvm.gateway.auth.Access;
import dev.stacyvm.gateway.service.AuditTrail;
import dev.stacyvm.gateway.service.NetworkPolicies;
import dev.stacyvm.gateway.service.SandboxGateway;
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
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * A tenant's egress policy (administrators only): it bounds every networked sandbox of the tenant
 * ({@link NetworkPolicy#bounded}); a default-deny tenant's sandboxes may only allow what it allows.
 * Setting it narrows the tenant's running sandboxes too ({@link SandboxGateway#narrowToTenant}).
 */
@Access(Access.Level.ADMIN)
@Path("/api/v1/tenants/{tenant}/network-policy")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "operations")
public class TenantNetworkPolicyResource {

    static final String SET = "network_policy.set";
    static final String DELETE = "network_policy.delete";

    @Inject
    NetworkPolicies policies;

    @Inject
    AuditTrail audit;

    @Inject
    SandboxGateway sandboxes;

    @GET
    @Operation(summary = "The tenant's egress policy", description = "404 not_found when it has none.")
    public NetworkPolicy get(@PathParam("tenant") String tenant) {
        return policies.get(tenant);
    }

    @PUT
    @Operation(summary = "Set the tenant's egress policy",
            description = "Replaces it whole. New sandboxes are bounded by it; running ones are narrowed to it at once "
                    + "(never widened), each audited as sandbox.network. 503 unavailable names running sandboxes whose "
                    + "worker did not apply it: the policy is set, and the same PUT again retries them.")
    public NetworkPolicy put(@PathParam("tenant") String tenant, NetworkPolicy policy) {
        NetworkPolicy set = audit.around(SET, null, null, () -> policies.put(tenant, policy),
                stored -> "tenant " + tenant + " " + stored.summary());
        sandboxes.narrowToTenant(tenant, set);
        return set;
    }

    @DELETE
    @Operation(summary = "Remove the tenant's egress policy")
    public StatusResponse delete(@PathParam("tenant") String tenant) {
        return audit.around(DELETE, null, null, () -> {
            policies.delete(tenant);
            return new StatusResponse("deleted");
        }, done -> "tenant " + tenant);
    }
}
