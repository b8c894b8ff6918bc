package dev.stacyvm.worker.rest;

import dev.stacyvm.contract.api.ChmodRequest;
import dev.stacyvm.contract.api.FileInfo;
import dev.stacyvm.contract.api.MoveRequest;
import dev.stacyvm.contract.api.StatusResponse;
import dev.stacyvm.contract.api.WriteFileRequest;
import dev.stacyvm.support.auth.InternalApi;
import dev.stacyvm.worker.files.SandboxFiles;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.InputStream;
import java.util.List;

/**
 * The files API on the worker; service-token only. Reads and archive downloads stream their
 * bytes; an archive upload streams from the request into the sandbox.
 */
@InternalApi
@Path("/internal/sandboxes/{id}/files")
@Blocking
public class InternalFilesResource {

    public static final String TAR = "application/x-tar";

    @Inject
    SandboxFiles files;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public StatusResponse write(@PathParam("id") String id, WriteFileRequest request) {
        files.write(id, request);
        return new StatusResponse("written");
    }

    @GET
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public Response read(@PathParam("id") String id, @QueryParam("path") String path) {
        String checked = files.checkReadable(id, path);
        StreamingOutput body = output -> files.read(id, checked, output);
        return Response.ok(body, MediaType.APPLICATION_OCTET_STREAM_TYPE).build();
    }

    @DELETE
    @Produces(MediaType.APPLICATION_JSON)
    public StatusResponse delete(@PathParam("id") String id, @QueryParam("path") String path,
                                 @QueryParam("recursive") boolean recursive) {
        files.delete(id, path, recursive);
        return new StatusResponse("deleted");
    }

    @GET
    @Path("/list")
    @Produces(MediaType.APPLICATION_JSON)
    public List<FileInfo> list(@PathParam("id") String id, @QueryParam("path") String path) {
        return files.list(id, path);
    }

    @GET
    @Path("/stat")
    @Produces(MediaType.APPLICATION_JSON)
    public FileInfo stat(@PathParam("id") String id, @QueryParam("path") String path) {
        return files.stat(id, path);
    }

    @POST
    @Path("/move")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public StatusResponse move(@PathParam("id") String id, MoveRequest request) {
        files.move(id, request == null ? null : request.oldPath(), request == null ? null : request.newPath());
        return new StatusResponse("moved");
    }

    @POST
    @Path("/chmod")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public StatusResponse chmod(@PathParam("id") String id, ChmodRequest request) {
        files.chmod(id, request == null ? null : request.path(), request == null ? null : request.mode());
        return new StatusResponse("chmod applied");
    }

    @GET
    @Path("/glob")
    @Produces(MediaType.APPLICATION_JSON)
    public List<String> glob(@PathParam("id") String id, @QueryParam("pattern") String pattern) {
        return files.glob(id, pattern);
    }

    @GET
    @Path("/archive")
    @Produces(TAR)
    public Response readArchive(@PathParam("id") String id, @QueryParam("path") String path) {
        String checked = files.checkArchivable(id, path);
        StreamingOutput body = output -> files.readArchive(id, checked, output);
        return Response.ok(body, TAR).build();
    }

    @PUT
    @Path("/archive")
    @Consumes({TAR, MediaType.APPLICATION_OCTET_STREAM})
    @Produces(MediaType.APPLICATION_JSON)
    public StatusResponse writeArchive(@PathParam("id") String id, @QueryParam("path") String path, InputStream archive) {
        files.writeArchive(id, path, archive);
        return new StatusResponse("extracted");
    }
}
