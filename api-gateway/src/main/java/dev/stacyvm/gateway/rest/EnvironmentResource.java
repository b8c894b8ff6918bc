package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.ApiError;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.BuildLogLine;
import dev.stacyvm.contract.api.BuildRequest;
import dev.stacyvm.contract.api.BuildView;
import dev.stacyvm.contract.api.EnvironmentSpecRequest;
import dev.stacyvm.contract.api.EnvironmentSpecView;
import dev.stacyvm.contract.api.SpawnConfig;
import dev.stacyvm.contract.api.StatusResponse;
import dev.stacyvm.gateway.auth.Access;
import dev.stacyvm.gateway.auth.CallerContext;
import dev.stacyvm.gateway.build.Builds;
import dev.stacyvm.gateway.service.AuditTrail;
import io.smallrye.common.annotation.Blocking;
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
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * StacyVM's environments API: {@code /api/v1/environments/specs} and
 * {@code /api/v1/environments/builds} (docs/images.md, Builds). Keys that may write save specs and
 * start and cancel builds; any key reads them. Everything is the caller's own (an operator sees its
 * tenant's, an administrator all), another owner's is {@code not_found}.
 */
@Path("/api/v1/environments")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "environments")
public class EnvironmentResource {

    static final String TAR = "application/x-tar";
    static final String NDJSON = "application/x-ndjson";
    static final String SPEC_SAVE = "environment_spec.save";
    static final String SPEC_DELETE = "environment_spec.delete";
    static final String BUILD_START = "build.start";
    static final String BUILD_CANCEL = "build.cancel";
    static final String BUILD_DELETE = "build.delete";

    @Inject
    Builds builds;

    @Inject
    CallerContext context;

    @Inject
    AuditTrail audit;

    @POST
    @Path("/specs")
    @Consumes(MediaType.APPLICATION_JSON)
    @Access(Access.Level.WRITE)
    @Operation(summary = "Save an environment spec", description = "201 with the spec: a base image plus apt and pip "
            + "packages to build. 400 for a malformed name, package or URL; 403 image_not_allowed for a base image the "
            + "tenant's policy refuses.")
    public Response createSpec(EnvironmentSpecRequest request) {
        EnvironmentSpecView saved = audit.around(SPEC_SAVE, null, context.caller().ownerId(),
                () -> builds.createSpec(context.caller(), request), spec -> spec.id() + " " + spec.name());
        return Response.status(Response.Status.CREATED).entity(saved).build();
    }

    @GET
    @Path("/specs")
    @Access(Access.Level.READ)
    @Operation(summary = "The caller's environment specs")
    public List<EnvironmentSpecView> listSpecs() {
        return builds.listSpecs(context.caller());
    }

    @GET
    @Path("/specs/{id}")
    @Access(Access.Level.READ)
    @Operation(summary = "One environment spec", description = "404 not_found for another owner's, like a missing one.")
    public EnvironmentSpecView getSpec(@PathParam("id") String id) {
        return builds.getSpec(context.caller(), id);
    }

    @DELETE
    @Path("/specs/{id}")
    @Access(Access.Level.WRITE)
    @Operation(summary = "Delete an environment spec", description = "Its builds and their images stay.")
    public StatusResponse deleteSpec(@PathParam("id") String id) {
        return audit.around(SPEC_DELETE, null, context.caller().ownerId(), () -> {
            builds.deleteSpec(context.caller(), id);
            return new StatusResponse("deleted");
        }, done -> id);
    }

    @POST
    @Path("/builds")
    @Consumes(MediaType.APPLICATION_JSON)
    @Access(Access.Level.WRITE)
    @Operation(summary = "Build an environment spec", description = "201 with the build, queued. Follow it with "
            + "GET /builds/{id}/logs; GET /builds/{id}/spawn-config names its image once it is ready. 404 for a spec "
            + "the caller may not see; 403 image_not_allowed when the tenant's policy refuses the base image; 429 "
            + "capacity_exhausted when too many builds wait.")
    public Response startSpecBuild(BuildRequest request) {
        BuildView started = audit.around(BUILD_START, null, context.caller().ownerId(),
                () -> builds.startSpecBuild(context.caller(), request), build -> build.id() + " " + build.image());
        return Response.status(Response.Status.CREATED).entity(started).build();
    }

    @POST
    @Path("/builds")
    @Consumes({TAR, MediaType.APPLICATION_OCTET_STREAM})
    @Access(Access.Level.WRITE)
    @Upload
    @Operation(summary = "Build a Dockerfile", description = "The body is the build context as a tar, with the "
            + "Dockerfile at its top (or at ?dockerfile=). 201 with the build, queued. One stage, run without network in "
            + "a hardened build sandbox: FROM, ARG, ENV, RUN, COPY, ADD (local files), WORKDIR, USER, CMD, ENTRYPOINT, "
            + "EXPOSE, LABEL; anything else is 400 naming its line. 403 image_not_allowed for a FROM the tenant's "
            + "policy refuses; 413 past the context limit (64 MiB by default).")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = BuildView.class)))
    @APIResponse(responseCode = "400", description = "bad_request: no name, no Dockerfile, or a line the builder cannot take",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    public Response startDockerfileBuild(@QueryParam("name") String name, @QueryParam("dockerfile") String dockerfile,
            @QueryParam("build_arg") List<String> buildArgs, InputStream context) {
        Map<String, String> args = new LinkedHashMap<>();
        for (String arg : buildArgs == null ? List.<String>of() : buildArgs) {
            int equals = arg.indexOf('=');
            if (equals <= 0) {
                throw ApiException.badRequest("build_arg takes NAME=value, not \"" + arg + "\"");
            }
            args.put(arg.substring(0, equals), arg.substring(equals + 1));
        }
        BuildView started = audit.around(BUILD_START, null, this.context.caller().ownerId(),
                () -> builds.startDockerfileBuild(this.context.caller(), name, dockerfile, args, context),
                build -> build.id() + " " + build.image());
        return Response.status(Response.Status.CREATED).entity(started).build();
    }

    @GET
    @Path("/builds")
    @Access(Access.Level.READ)
    @Operation(summary = "The caller's builds, newest first", description = "limit: 1 to 200, 30 by default.")
    public List<BuildView> listBuilds(@QueryParam("limit") Integer limit) {
        return builds.list(context.caller(), limit);
    }

    @GET
    @Path("/builds/{id}")
    @Access(Access.Level.READ)
    @Operation(summary = "One build, with its log so far")
    public BuildView getBuild(@PathParam("id") String id) {
        return builds.get(context.caller(), id);
    }

    @GET
    @Path("/builds/{id}/logs")
    @Produces(NDJSON)
    @Access(Access.Level.READ)
    @Operation(summary = "A build's log as it is written", description = "NDJSON lines: {\"data\": ...} with log text, "
            + "blank keepalives, and last {\"status\": ..., \"error\": ...} when the build ends.")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = NDJSON,
            schema = @Schema(implementation = BuildLogLine.class)))
    public Response logs(@PathParam("id") String id) {
        return Response.ok(builds.logStream(context.caller(), id), NDJSON).build();
    }

    @POST
    @Path("/builds/{id}/cancel")
    @Access(Access.Level.WRITE)
    @Operation(summary = "Cancel a build", description = "The build ends canceled and its sandbox is destroyed. 409 "
            + "conflict when it already finished.")
    public BuildView cancel(@PathParam("id") String id) {
        return audit.around(BUILD_CANCEL, null, context.caller().ownerId(), () -> builds.cancel(context.caller(), id),
                build -> build.id());
    }

    @DELETE
    @Path("/builds/{id}")
    @Access(Access.Level.WRITE)
    @Operation(summary = "Delete a finished build and its image", description = "The image is removed from the "
            + "worker that built it. 409 conflict while the build runs (cancel it first) or while a sandbox runs its image.")
    public StatusResponse deleteBuild(@PathParam("id") String id) {
        return audit.around(BUILD_DELETE, null, context.caller().ownerId(), () -> {
            builds.delete(context.caller(), id);
            return new StatusResponse("deleted");
        }, done -> id);
    }

    @GET
    @Path("/builds/{id}/spawn-config")
    @Access(Access.Level.READ)
    @Operation(summary = "What a create names to run a build's image", description = "StacyVM's spawn-config: use "
            + "image exactly as given, in a create's image or a template's.")
    public SpawnConfig spawnConfig(@PathParam("id") String id) {
        return builds.spawnConfig(context.caller(), id);
    }
}
