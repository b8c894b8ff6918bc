package dev.stacyvm.worker.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.BackgroundOutput;
import dev.stacyvm.contract.api.BackgroundProcess;
import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.contract.api.ExecStreamLine;
import dev.stacyvm.support.auth.InternalApi;
import dev.stacyvm.worker.service.BackgroundProcesses;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A sandbox's background processes ({@link BackgroundProcesses}): start, list, one, output (a
 * slice, or followed as NDJSON {@link ExecStreamLine}s ending with the exit line), signal, kill.
 * Service-token only.
 */
@InternalApi
@Path("/internal/sandboxes/{id}/background")
@Blocking
public class InternalBackgroundResource {

    @Inject
    BackgroundProcesses processes;

    @Inject
    ObjectMapper json;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public BackgroundProcess start(@PathParam("id") String sandboxId, ExecRequest request) {
        return processes.start(sandboxId, request);
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<BackgroundProcess> list(@PathParam("id") String sandboxId) {
        return processes.list(sandboxId);
    }

    @GET
    @Path("/{process}")
    @Produces(MediaType.APPLICATION_JSON)
    public BackgroundProcess get(@PathParam("id") String sandboxId, @PathParam("process") String processId) {
        return processes.get(sandboxId, processId);
    }

    @GET
    @Path("/{process}/output")
    @Produces(MediaType.APPLICATION_JSON)
    public BackgroundOutput output(@PathParam("id") String sandboxId, @PathParam("process") String processId,
                                   @QueryParam("since") @DefaultValue("0") long since) {
        return processes.output(sandboxId, processId, since);
    }

    /** The output from {@code since} on, then live, as NDJSON; the last line is the exit line once it ends. */
    @GET
    @Path("/{process}/output/stream")
    public Response follow(@PathParam("id") String sandboxId, @PathParam("process") String processId,
                           @QueryParam("since") @DefaultValue("0") long since) {
        processes.get(sandboxId, processId); // a missing one is a 404 before the stream starts
        StreamingOutput body = output -> {
            try {
                BackgroundProcess ended = processes.follow(sandboxId, processId, since, new BackgroundProcesses.Follower() {
                    @Override
                    public void accept(dev.stacyvm.worker.service.OutputRing.Chunk chunk) throws IOException {
                        write(output, ExecStreamLine.chunk(chunk.stream(), new String(chunk.data(), StandardCharsets.UTF_8)));
                    }

                    @Override
                    public void idle() throws IOException {
                        output.write('\n');
                        output.flush();
                    }
                });
                write(output, ExecStreamLine.exit(ended.exitCode() == null ? -1 : ended.exitCode(),
                        dev.stacyvm.contract.time.GoDuration.format(java.time.Duration.between(ended.startedAt(), ended.endedAt())),
                        Boolean.TRUE.equals(ended.timedOut())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        return Response.ok(body, ExecStreamLine.MEDIA_TYPE).header("Cache-Control", "no-cache").build();
    }

    @POST
    @Path("/{process}/signal")
    @Produces(MediaType.APPLICATION_JSON)
    public BackgroundProcess signal(@PathParam("id") String sandboxId, @PathParam("process") String processId,
                                    @QueryParam("signal") @DefaultValue("TERM") String signal) {
        return processes.signal(sandboxId, processId, signal);
    }

    @DELETE
    @Path("/{process}")
    public Response kill(@PathParam("id") String sandboxId, @PathParam("process") String processId) {
        processes.kill(sandboxId, processId);
        return Response.noContent().build();
    }

    private void write(OutputStream output, ExecStreamLine line) throws IOException {
        output.write((json.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
        output.flush();
    }

}
