package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.CreateSandboxRequest;
import dev.stacyvm.contract.api.StatusResponse;
import dev.stacyvm.contract.api.TemplateRequest;
import dev.stacyvm.contract.api.TemplateView;
import dev.stacyvm.gateway.auth.Access;
import dev.stacyvm.gateway.auth.CallerContext;
import dev.stacyvm.gateway.service.AuditTrail;
import dev.stacyvm.gateway.service.SandboxGateway;
import dev.stacyvm.gateway.service.TemplateImagePins;
import dev.stacyvm.gateway.service.TemplateService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** StacyVM's template routes, plus spawn. */
@Path("/api/v1/templates")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "templates")
public class TemplateResource {

    @Inject
    TemplateImagePins pins;

    @Inject
    TemplateService templates;

    @Inject
    SandboxGateway sandboxes;

    @Inject
    AuditTrail audit;

    @Inject
    CallerContext context;

    private String owner() {
        return context.caller().ownerId();
    }

    /** The template's name and image: never its environment, which may hold secrets. */
    private static String describe(TemplateView template) {
        return "template " + template.name() + " image " + template.image();
    }

    @POST
    @Access(Access.Level.WRITE)
    public Response create(TemplateRequest request) {
        TemplateView created = audit.around("template.create", null, owner(), () -> templates.create(request),
                TemplateResource::describe);
        pins.refresh(); // its image is kept on every worker from now on
        return Response.status(Response.Status.CREATED).entity(created).build();
    }

    @GET
    @Access(Access.Level.READ)
    public List<TemplateView> list() {
        return templates.list();
    }

    @GET
    @Access(Access.Level.READ)
    @Path("/{name}")
    public TemplateView get(@PathParam("name") String name) {
        return templates.get(name);
    }

    @PUT
    @Access(Access.Level.WRITE)
    @Path("/{name}")
    public TemplateView update(@PathParam("name") String name, TemplateRequest request) {
        TemplateView updated = audit.around("template.update", null, owner(), () -> templates.update(name, request),
                TemplateResource::describe);
        pins.refresh();
        return updated;
    }

    @DELETE
    @Access(Access.Level.WRITE)
    @Path("/{name}")
    public StatusResponse delete(@PathParam("name") String name) {
        StatusResponse deleted = audit.around("template.delete", null, owner(), () -> {
            templates.delete(name);
            return new StatusResponse("deleted");
        }, done -> "template " + name);
        pins.refresh();
        return deleted;
    }

    /** Creates a sandbox from the template; the body (optional) overrides its fields. */
    @POST
    @Access(Access.Level.WRITE)
    @Path("/{name}/spawn")
    public Response spawn(@PathParam("name") String name, CreateSandboxRequest overrides) {
        return Response.status(Response.Status.CREATED).entity(sandboxes.spawn(name, overrides)).build();
    }
}
