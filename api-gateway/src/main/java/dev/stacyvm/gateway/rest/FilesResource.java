package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.ApiError;
import dev.stacyvm.contract.api.ChmodRequest;
import dev.stacyvm.contract.api.FileInfo;
import dev.stacyvm.contract.api.MoveRequest;
import dev.stacyvm.contract.api.StatusResponse;
import dev.stacyvm.contract.api.WriteFileRequest;
import dev.stacyvm.gateway.auth.Access;
import dev.stacyvm.gateway.service.SandboxFilesGateway;
import dev.stacyvm.support.limits.RelayedRequestBody;
import dev.stacyvm.support.limits.RelaysBody;
import io.smallrye.common.annotation.Blocking;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** StacyVM's files routes, plus tar archive upload and download of a directory. */
@Path("/api/v1/sandboxes/{id}/files")
@Blocking
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "files")
public class FilesResource {

    static final String TAR = "application/x-tar";

    @Inject
    SandboxFilesGateway files;

    @POST
    @Access(Access.Level.WRITE)
    @Upload
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = StatusResponse.class)))
    @APIResponse(responseCode = "408", description = "request_timeout: the body sent nothing for the idle timeout (30 s)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "413", description = "payload_too_large: the body is past the route's limit (JSON 64 MiB, archives 4 GiB)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "429", description = "too_many_uploads: the owner or the key already has its uploads under way; see Retry-After",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "507", description = "disk_full: the sandbox's disk (disk_mb) is full; nothing of the write is left",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public StatusResponse write(@PathParam("id") String id, WriteFileRequest request) {
        return files.write(id, request);
    }

    /** The file's raw bytes. */
    @GET
    @Access(Access.Level.READ)
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public Response read(@PathParam("id") String id, @QueryParam("path") String path) {
        return Response.ok(files.read(id, path), MediaType.APPLICATION_OCTET_STREAM_TYPE).build();
    }

    @DELETE
    @Access(Access.Level.WRITE)
    @Produces(MediaType.APPLICATION_JSON)
    public StatusResponse delete(@PathParam("id") String id, @QueryParam("path") String path,
                                 @QueryParam("recursive") boolean recursive) {
        return files.delete(id, path, recursive);
    }

    @GET
    @Access(Access.Level.READ)
    @Path("/list")
    @Operation(summary = "List a directory", description = "Without path, lists / (as StacyVM does).")
    @Produces(MediaType.APPLICATION_JSON)
    public List<FileInfo> list(@PathParam("id") String id, @QueryParam("path") String path) {
        return files.list(id, path);
    }

    @GET
    @Access(Access.Level.READ)
    @Path("/stat")
    @Produces(MediaType.APPLICATION_JSON)
    public FileInfo stat(@PathParam("id") String id, @QueryParam("path") String path) {
        return files.stat(id, path);
    }

    @POST
    @Access(Access.Level.WRITE)
    @Path("/move")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public StatusResponse move(@PathParam("id") String id, MoveRequest request) {
        return files.move(id, request);
    }

    @POST
    @Access(Access.Level.WRITE)
    @Path("/chmod")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public StatusResponse chmod(@PathParam("id") String id, ChmodRequest request) {
        return files.chmod(id, request);
    }

    @GET
    @Access(Access.Level.READ)
    @Path("/glob")
    @Produces(MediaType.APPLICATION_JSON)
    public List<String> glob(@PathParam("id") String id, @QueryParam("pattern") String pattern) {
        return files.glob(id, pattern);
    }

    /** The directory's contents as a tar stream. */
    @GET
    @Access(Access.Level.READ)
    @Path("/archive")
    @Produces(TAR)
    public Response readArchive(@PathParam("id") String id, @QueryParam("path") String path) {
        return Response.ok(files.readArchive(id, path), TAR).build();
    }

    /** Unpacks a tar stream into the directory (created if missing). */
    @PUT
    @Access(Access.Level.WRITE)
    @Upload
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = StatusResponse.class)))
    @APIResponse(responseCode = "408", description = "request_timeout: the body sent nothing for the idle timeout (30 s)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "413", description = "payload_too_large: the body is past the route's limit (JSON 64 MiB, archives 4 GiB)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "429", description = "too_many_uploads: the owner or the key already has its uploads under way; see Retry-After",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "507", description = "disk_full: the sandbox's disk (disk_mb) is full; nothing of the write is left",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    @Path("/archive")
    @Consumes({TAR, MediaType.APPLICATION_OCTET_STREAM})
    @Produces(MediaType.APPLICATION_JSON)
    @RelaysBody
    @RequestBody(required = true, content = {
        @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM, schema = @Schema(type = SchemaType.STRING, format = "binary")),
        @Content(mediaType = TAR, schema = @Schema(type = SchemaType.STRING, format = "binary"))})
    public StatusResponse writeArchive(@PathParam("id") String id, @QueryParam("path") String path,
                                       @Context RoutingContext routing) {
        return files.writeArchive(id, path, RelayedRequestBody.of(routing));
    }
}
