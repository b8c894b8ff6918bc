package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.WorkerCredentialView;
import dev.stacyvm.contract.api.WorkerView;
import dev.stacyvm.gateway.auth.Access;
import dev.stacyvm.gateway.service.AuditTrail;
import dev.stacyvm.gateway.service.InternalServices;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * {@code /api/v1/workers}: the worker hosts, for operators and administrators only (they reveal
 * internal addresses); {@code ApiKeyFilter} enforces that.
 */
@Access(Access.Level.OPERATOR)
@Path("/api/v1/workers")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "operations")
public class WorkerResource {

    @Inject
    InternalServices services;

    @Inject
    AuditTrail audit;

    @GET
    public List<WorkerView> list() {
        return services.scheduler().workers();
    }

    @GET
    @Path("/{id}")
    public WorkerView get(@PathParam("id") String id) {
        return services.scheduler().worker(id);
    }

    /**
     * Issues a new credential bound to the worker id (admin only). The answer (201) is the only
     * one that carries its {@code token}; start the worker with it as STACYVM_WORKER_CREDENTIAL.
     */
    @POST
    @Path("/{id}/credentials")
    @Access(Access.Level.ADMIN)
    public Response issueCredential(@PathParam("id") String id) {
        WorkerCredentialView issued = audit.around("worker_credential.issue", null, null,
                () -> services.scheduler().issueCredential(id), credential -> credential.id() + " " + id);
        return Response.status(Response.Status.CREATED).entity(issued).build();
    }

    /** The worker's credentials, revoked ones included, never their tokens (admin only). */
    @GET
    @Path("/{id}/credentials")
    @Access(Access.Level.ADMIN)
    public List<WorkerCredentialView> credentials(@PathParam("id") String id) {
        return services.scheduler().credentials(id);
    }

    /** Revokes one of the worker's credentials: the scheduler refuses it at once (admin only). */
    @DELETE
    @Path("/{id}/credentials/{credential}")
    @Access(Access.Level.ADMIN)
    public WorkerCredentialView revokeCredential(@PathParam("id") String id, @PathParam("credential") String credentialId) {
        return audit.around("worker_credential.revoke", null, null,
                () -> services.scheduler().revokeCredential(id, credentialId), credential -> credential.id() + " " + id);
    }
}
