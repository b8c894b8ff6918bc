package dev.stacyvm.worker.rest;

import dev.stacyvm.support.auth.InternalApi;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.contract.api.ExecStreamLine;
import dev.stacyvm.contract.time.GoDuration;
import dev.stacyvm.worker.provider.ExecCommand;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.service.RuntimeService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Streams an exec's output as NDJSON while the command runs; when the caller goes away the
 * next write fails and the command is killed. Service-token only.
 */
@InternalApi
@Path("/internal/sandboxes/{id}/exec/stream")
@Blocking
public class InternalExecStreamResource {

    @Inject
    RuntimeService runtimes;

    @Inject
    ObjectMapper json;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response stream(@PathParam("id") String sandboxId, ExecRequest request) {
        ExecCommand command = runtimes.prepareStream(sandboxId, request);
        StreamingOutput body = output -> {
            ExecOutcome outcome = runtimes.stream(sandboxId, command,
                    (stream, data) -> writeLine(output, ExecStreamLine.chunk(stream, data)));
            if (!outcome.abandoned()) {
                writeLine(output, ExecStreamLine.exit(outcome.exitCode(), GoDuration.format(outcome.took()),
                        outcome.timedOut()));
            }
        };
        return Response.ok(body, ExecStreamLine.MEDIA_TYPE).header("Cache-Control", "no-cache").build();
    }

    private void writeLine(OutputStream output, ExecStreamLine line) throws java.io.IOException {
        byte[] bytes = (json.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (output) {
            output.write(bytes);
            output.flush();
        }
    }
}
