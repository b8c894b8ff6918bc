package dev.stacyvm.scheduler.rest;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.StatusResponse;
import dev.stacyvm.contract.api.WorkerCredentialView;
import dev.stacyvm.contract.api.WorkerView;
import dev.stacyvm.contract.internal.PullProgress;
import dev.stacyvm.contract.internal.WorkerRegistration;
import dev.stacyvm.scheduler.service.SandboxTransitions;
import dev.stacyvm.scheduler.service.WorkerCredentials;
import dev.stacyvm.scheduler.service.WorkerRegistry;
import dev.stacyvm.support.auth.AuthenticatedWorker;
import dev.stacyvm.support.auth.CalledByWorker;
import dev.stacyvm.support.auth.InternalApi;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * Worker registration and heartbeats, which only a worker may send and only for itself (its own
 * credential); the worker list and the credentials, for the control plane (service token).
 */
@Path("/internal/workers")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class InternalWorkerResource {

    @Inject
    WorkerRegistry registry;

    @Inject
    WorkerCredentials credentials;

    @Inject
    AuthenticatedWorker caller;

    @Inject
    SandboxTransitions transitions;

    @POST
    @CalledByWorker
    public WorkerView heartbeat(WorkerRegistration registration) {
        if (registration == null) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "a worker registration is required");
        }
        caller.requireSelf(registration.id());
        return registry.heartbeat(registration);
    }

    @GET
    @InternalApi
    public List<WorkerView> list() {
        return registry.list();
    }

    /**
     * The worker's word on how far a create it was asked for has come (the pull of its image);
     * taken only for a creating sandbox placed on that worker.
     */
    @POST
    @Path("/{id}/sandboxes/{sandbox}/progress")
    @CalledByWorker
    public StatusResponse progress(@PathParam("id") String id, @PathParam("sandbox") String sandboxId,
            PullProgress progress) {
        caller.requireSelf(id);
        if (progress == null || !(PullProgress.PULLING.equals(progress.phase()) || PullProgress.PULLED.equals(progress.phase()))
                || progress.detail() == null || progress.detail().length() > 512) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "a phase (pulling or pulled) and a detail of at most 512 "
                    + "characters are required");
        }
        return new StatusResponse(transitions.progress(sandboxId, id, progress) ? "recorded" : "ignored");
    }

    /** The worker process {@code instance} is shutting down cleanly. */
    @POST
    @Path("/{id}/stopping")
    @CalledByWorker
    public WorkerView stopping(@PathParam("id") String id, @QueryParam("instance") String instance) {
        caller.requireSelf(id);
        return registry.stopping(id, instance);
    }

    @GET
    @Path("/{id}")
    @InternalApi
    public WorkerView get(@PathParam("id") String id) {
        return registry.get(id);
    }

    /** Issues a new credential for the worker (rotation: issue, roll out, then revoke the old one). */
    @POST
    @Path("/{id}/credentials")
    @InternalApi
    public WorkerCredentialView issueCredential(@PathParam("id") String id) {
        return credentials.issue(id);
    }

    @GET
    @Path("/{id}/credentials")
    @InternalApi
    public List<WorkerCredentialView> credentials(@PathParam("id") String id) {
        return credentials.list(id);
    }

    @DELETE
    @Path("/{id}/credentials/{credential}")
    @InternalApi
    public WorkerCredentialView revokeCredential(@PathParam("id") String id, @PathParam("credential") String credentialId) {
        return credentials.revoke(id, credentialId);
    }
}
