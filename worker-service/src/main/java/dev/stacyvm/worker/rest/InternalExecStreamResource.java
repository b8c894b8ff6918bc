package dev.stacyvm.worker.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.contract.api.ExecStreamLine;
import dev.stacyvm.contract.time.GoDuration;
import dev.stacyvm.support.auth.InternalApi;
import dev.stacyvm.worker.provider.ExecCommand;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.ExecOutputSink;
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
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Streams an exec's output as NDJSON while the command runs, with a blank line every half second
 * as a keepalive (NDJSON readers skip blank lines); when the caller goes away the next write fails
 * and the command is killed, silent or not. Service-token only.
 */
@InternalApi
@Path("/internal/sandboxes/{id}/exec/stream")
@Blocking
public class InternalExecStreamResource {

    /** A keepalive goes out once the stream has been quiet this long. */
    private static final long KEEPALIVE_AFTER_NANOS = 400_000_000L;

    @Inject
    RuntimeService runtimes;

    @Inject
    ObjectMapper json;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response stream(@PathParam("id") String sandboxId, ExecRequest request) {
        ExecCommand command = runtimes.prepareStream(sandboxId, request);
        StreamingOutput body = output -> {
            ExecOutcome outcome = runtimes.stream(sandboxId, command, new ExecOutputSink() {
                private volatile long lastWrite = System.nanoTime();

                @Override
                public void accept(String stream, String data) throws IOException {
                    writeLine(output, ExecStreamLine.chunk(stream, data));
                    lastWrite = System.nanoTime();
                }

                @Override
                public void idle() throws IOException {
                    if (System.nanoTime() - lastWrite < KEEPALIVE_AFTER_NANOS) {
                        return;
                    }
                    // a blank line (NDJSON readers skip it): a receiver that left makes this fail
                    synchronized (output) {
                        output.write('\n');
                        output.flush();
                    }
                    lastWrite = System.nanoTime();
                }
            });
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
