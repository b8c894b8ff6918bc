package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.BackgroundOutput;
import dev.stacyvm.contract.api.BackgroundProcess;
import dev.stacyvm.contract.api.ExecStreamLine;
import dev.stacyvm.gateway.auth.Access;
import dev.stacyvm.gateway.service.BackgroundExecs;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
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
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /api/v1/sandboxes/{id}/exec/background}: the commands a sandbox runs detached
 * ({@code background: true} on exec), as {@link BackgroundExecs} serves them.
 */
@Path("/api/v1/sandboxes/{id}/exec/background")
@Blocking
@Tag(name = "sandboxes")
public class BackgroundProcessResource {

    @Inject
    BackgroundExecs background;

    @GET
    @Access(Access.Level.READ)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "List the sandbox's background processes",
            description = "Running and ended ones, oldest first, each with its state, exit code once exited and output "
                    + "bytes so far. Held by the sandbox's worker: a worker restart forgets them.")
    public List<BackgroundProcess> list(@PathParam("id") String id) {
        return background.list(id);
    }

    @GET
    @Path("/{process}")
    @Access(Access.Level.READ)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One background process: its state and, once exited, its exit code")
    public BackgroundProcess get(@PathParam("id") String id, @PathParam("process") String process) {
        return background.get(id, process);
    }

    @GET
    @Path("/{process}/output")
    @Access(Access.Level.READ)
    @Produces({MediaType.APPLICATION_JSON, ExecStreamLine.MEDIA_TYPE})
    @Operation(summary = "A background process's output, or follow it live",
            description = "From byte offset since (default 0) on, as far as the buffer (the last 256 KiB) holds it: "
                    + "chunks with stream, data and offset, next (the offset to ask from next), dropped (output after "
                    + "since already dropped) and the process now. With follow=true the answer is NDJSON as a streamed "
                    + "exec's: the output from since on, then live, and the exit line once it ends; a blank keepalive "
                    + "line every half second while it is quiet. Leaving a followed stream stops only the reading; "
                    + "follow again with since=next to reconnect without missing or repeating output.")
    public Response output(@PathParam("id") String id, @PathParam("process") String process,
                           @QueryParam("since") @DefaultValue("0") long since,
                           @QueryParam("follow") @DefaultValue("false") boolean follow) {
        if (follow) {
            return Response.ok(background.follow(id, process, since), ExecStreamLine.MEDIA_TYPE)
                    .header("Cache-Control", "no-cache").build();
        }
        BackgroundOutput output = background.output(id, process, since);
        return Response.ok(output, MediaType.APPLICATION_JSON).build();
    }

    @POST
    @Path("/{process}/signal")
    @Access(Access.Level.WRITE)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Send a background process a signal",
            description = "Body {\"signal\": \"TERM\"} (HUP, INT, QUIT, KILL, USR1, USR2, TERM, CONT or STOP; TERM when "
                    + "left out), sent to its command's process group, as a terminal's ^C is (in shell mode that "
                    + "includes the /bin/sh -c around the command, so its exit status is the shell's 128+signal; "
                    + "mode argv sends it to the command alone); an ended one is left alone. Audited as "
                    + "sandbox.process.signal. Answers the process.")
    public BackgroundProcess signal(@PathParam("id") String id, @PathParam("process") String process,
                                    Map<String, String> body) {
        return background.signal(id, process, body == null ? null : body.get("signal"));
    }

    @DELETE
    @Path("/{process}")
    @Access(Access.Level.WRITE)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Kill a background process and forget it",
            description = "Kills it with everything it started, if it still runs, and removes it from the list. Audited.")
    public Map<String, String> kill(@PathParam("id") String id, @PathParam("process") String process) {
        background.kill(id, process);
        return Map.of("status", "killed");
    }
}
