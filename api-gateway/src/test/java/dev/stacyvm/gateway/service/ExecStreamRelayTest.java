package dev.stacyvm.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.ExecStreamLine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A streamed exec reaches the client line for line, and only the worker's closing line is its exit. */
class ExecStreamRelayTest {

    private final ObjectMapper json = new ObjectMapper();

    private static ByteArrayInputStream stream(String ndjson) {
        return new ByteArrayInputStream(ndjson.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyLineReachesTheClientAndTheClosingLineIsTheExit() throws Exception {
        String ndjson = "{\"stream\":\"stdout\",\"data\":\"hi\\n\"}\n"
                + "\n" // a keepalive while the command was silent
                + "{\"exit_code\":3,\"duration\":\"12ms\",\"timed_out\":false}\n";
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        ExecStreamLine exit = ExecStreamRelay.relay(stream(ndjson), client, json);
        assertEquals(ndjson, client.toString(StandardCharsets.UTF_8));
        assertEquals(3, exit.exitCode());
    }

    @Test
    void outputThatReadsLikeAnExitStatusIsStillOutput() throws Exception {
        // a program printing what the closing line looks like: the chunk's text, not an exit
        String ndjson = "{\"stream\":\"stdout\",\"data\":\"{\\\"exit_code\\\":0}\\n\"}\n";
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        assertNull(ExecStreamRelay.relay(stream(ndjson), client, json), "a stream without its closing line has no exit");
        assertEquals(ndjson, client.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aLineThatDoesNotParseIsPassedOnAndTheStreamGoesOnToItsExit() throws Exception {
        String ndjson = "not json at all\n"
                + "{\"stream\":\"stdout\",\"data\":\"after\\n\"}\n"
                + "{\"exit_code\":0,\"duration\":\"1ms\",\"timed_out\":false}\n";
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        ExecStreamLine exit = ExecStreamRelay.relay(stream(ndjson), client, json);
        assertEquals(ndjson, client.toString(StandardCharsets.UTF_8), "every line reached the client");
        assertEquals(0, exit.exitCode(), "the exit after the odd line was still found");
    }
}
