package dev.stacyvm.scheduler.rest;

import dev.stacyvm.contract.internal.CapacityView;
import dev.stacyvm.contract.internal.OwnerUsage;
import dev.stacyvm.contract.internal.SandboxSpec;
import dev.stacyvm.scheduler.admission.OwnerUsages;
import dev.stacyvm.scheduler.service.WorkerPlacement;
import dev.stacyvm.support.auth.InternalApi;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * How full the workers are and what owners' sandboxes hold, for the gateway's admission decisions
 * and quota reports; service-token only.
 */
@InternalApi
@Path("/internal")
@Produces(MediaType.APPLICATION_JSON)
public class InternalCapacityResource {

    @Inject
    WorkerPlacement placement;

    @Inject
    OwnerUsages usages;

    @GET
    @Path("/capacity")
    @Transactional
    public CapacityView capacity(@QueryParam("owner") String owner, @QueryParam("memory_mb") Integer memoryMb,
            @QueryParam("vcpus") Integer vcpus, @QueryParam("pids_limit") Integer pidsLimit,
            @QueryParam("disk_mb") Integer diskMb, @QueryParam("runtime") String runtime) {
        CapacityView capacity = placement.capacity(owner);
        if (memoryMb == null || vcpus == null || pidsLimit == null || diskMb == null) {
            return capacity;
        }
        return new CapacityView(capacity.activeSandboxes(), capacity.owner(), capacity.capacity(), capacity.free(),
                capacity.key(), capacity.tenant(), placement.hostRefusal(SandboxSpec.runtimeOrDefault(runtime), memoryMb, vcpus,
                        pidsLimit, diskMb));
    }

    @GET
    @Path("/usage")
    @Transactional
    public List<OwnerUsage> usage() {
        return usages.all();
    }

    @GET
    @Path("/usage/{owner}")
    @Transactional
    public OwnerUsage usage(@PathParam("owner") String owner) {
        return usages.of(owner);
    }

    /** What every owner of one key ({@code tenant:key}) holds together. */
    @GET
    @Path("/usage/keys/{key}")
    @Transactional
    public OwnerUsage keyUsage(@PathParam("key") String key) {
        return usages.ofKey(key);
    }

    /** What every owner of one tenant holds together. */
    @GET
    @Path("/usage/tenants/{tenant}")
    @Transactional
    public OwnerUsage tenantUsage(@PathParam("tenant") String tenant) {
        return usages.ofTenant(tenant);
    }
}
