package dev.stacyvm.gateway.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.ExecStreamLine;
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
     * chunk).
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
                ExecStreamLine parsed = json.readValue(line, ExecStreamLine.class);
                if (parsed.exitCode() != null) {
                    exit = parsed;
                }
            }
        }
        return exit;
    }
}
