package dev.stacyvm.gateway.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.ExecStreamLine;
import io.quarkus.logging.Log;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Relays a streamed exec from the worker to the client: NDJSON, one {@link ExecStreamLine} a line
 * (output chunks, then one line with the exit status; blank lines are the worker's keepalives),
 * each line passed on and flushed as it arrives, so the client sees output while the command runs.
 */
final class ExecStreamRelay {

    private ExecStreamRelay() {
    }

    /**
     * Copies every line of {@code upstream} to {@code client}, each parsed as an
     * {@link ExecStreamLine} on the way (a chunk whose text looks like an exit status is still a
     * chunk). A line that does not parse is passed on all the same and does not end the relay.
     *
     * @return the line with the exit status, or null when the stream ended without one
     * @throws IOException when the client or the worker went away (the worker then stops the command)
     */
    static ExecStreamLine relay(InputStream upstream, OutputStream client, ObjectMapper json) throws IOException {
        ExecStreamLine exit = null;
        try (upstream; BufferedReader lines = new BufferedReader(new InputStreamReader(upstream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                client.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                client.flush();
                if (line.isBlank()) {
                    continue; // the worker's keepalive during a silent command, passed on as it is
                }
                ExecStreamLine parsed;
                try {
                    parsed = json.readValue(line, ExecStreamLine.class);
                } catch (JsonProcessingException unparsable) {
                    // passed on as it came; the command's stream goes on, only its exit is looked for here
                    Log.warnf("a streamed exec line from the worker is not an ExecStreamLine: %s", unparsable.getOriginalMessage());
                    continue;
                }
                if (parsed.exitCode() != null) {
                    exit = parsed;
                }
            }
        }
        return exit;
    }
}
