package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code "stream": true}: output arrives as the process writes it, and a client that leaves stops it. */
class ExecStreamingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    @AfterEach
    void destroyLeftovers() {
        sandboxes.close();
    }

    private static HttpResponse<InputStream> startStream(String id, Map<String, Object> body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(Suite.URL + "/api/v1/sandboxes/" + id + "/exec"))
                .header("X-API-Key", Suite.API_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
    }

    @Test
    void chunksArriveBeforeTheProcessEndsThenTheExitStatus() throws Exception {
        String id = sandboxes.create(Map.of());
        long started = System.nanoTime();
        HttpResponse<InputStream> response = startStream(id, Map.of(
                "command", "echo first; echo oops >&2; sleep 2; echo second", "stream", true));
        assertEquals(200, response.statusCode());
        assertEquals("application/x-ndjson", response.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        List<JsonNode> lines = new ArrayList<>();
        Duration firstChunkAfter = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (firstChunkAfter == null) {
                    firstChunkAfter = Duration.ofNanos(System.nanoTime() - started);
                }
                lines.add(JSON.readTree(line));
            }
        }
        Duration total = Duration.ofNanos(System.nanoTime() - started);
        assertTrue(firstChunkAfter.compareTo(total.minusMillis(1500)) < 0,
                "the first chunk came " + firstChunkAfter + ", long before the end at " + total);
        // stdout and stderr are two pipes, so their relative order is not fixed; within one it is
        List<String> stdout = lines.stream().filter(l -> "stdout".equals(l.path("stream").asText()))
                .map(l -> l.get("data").asText()).toList();
        assertEquals(List.of("first\n", "second\n"), stdout);
        assertTrue(lines.stream().anyMatch(l -> "stderr".equals(l.path("stream").asText()) && "oops\n".equals(l.path("data").asText())));
        JsonNode exit = lines.get(lines.size() - 1);
        assertEquals(0, exit.get("exit_code").asInt());
        assertFalse(exit.get("timed_out").asBoolean());
        assertTrue(exit.get("duration").asText().endsWith("s"));
    }

    @Test
    void aStreamedExecThatTimesOutSaysSo() throws Exception {
        String id = sandboxes.create(Map.of());
        HttpResponse<InputStream> response = startStream(id, Map.of("command", "echo start; sleep 30", "timeout", "1s", "stream", true));
        String body = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        String[] lines = body.strip().split("\n");
        JsonNode exit = JSON.readTree(lines[lines.length - 1]);
        assertTrue(exit.get("timed_out").asBoolean(), body);
        assertTrue(exit.get("exit_code").asInt() == 124 || exit.get("exit_code").asInt() == 137, body);
    }

    /**
     * A streamed exec whose client leaves is killed, whether the command writes often, seldom or
     * never: the stream carries a blank-line keepalive (NDJSON readers skip it) while it is quiet,
     * so a client that left is noticed within about a second even while the command is silent, and
     * the command and everything it started are killed within 2 s.
     */
    @Test
    void aClientThatDisconnectsStopsTheProcessWithinTwoSecondsWhetherItWritesOrNot() throws Exception {
        String id = sandboxes.create(Map.of());
        // what the command writes -> the command, and the mark its process carries in ps
        Map<String, String> commands = Map.of(
                "often", "while true; do echo tick-often; sleep 0.2; done",
                "every second", "while true; do echo tick-second; sleep 1; done",
                "silent", "sleep 301");
        Map<String, String> marks = Map.of("often", "tick-often", "every second", "tick-second", "silent", "sleep 301");
        for (Map.Entry<String, String> command : commands.entrySet()) {
            HttpResponse<InputStream> response = startStream(id, Map.of("command", command.getValue(), "timeout", "5m",
                    "stream", true));
            assertEquals(200, response.statusCode(), command.getKey() + ": the stream starts even before any output");
            response.body().close();
            long left = System.nanoTime();
            String marker = marks.get(command.getKey());
            String processes = "";
            long lookedAtMillis = 0; // when the ps that found it gone started, after the client left
            for (int attempt = 0; attempt < 40; attempt++) {
                lookedAtMillis = (System.nanoTime() - left) / 1_000_000;
                processes = api().body(Map.of("command", "ps -eo args")).post("/sandboxes/{id}/exec", id)
                        .then().statusCode(200).extract().path("stdout");
                if (!processes.contains(marker)) {
                    break;
                }
                Thread.sleep(100);
            }
            System.out.printf("streamed exec writing %s: gone at a look %d ms after its client left%n", command.getKey(),
                    lookedAtMillis);
            assertFalse(processes.contains(marker), command.getKey() + ": the command is gone after the client left:\n" + processes);
            // the requirement: killed within 2 s of the client leaving, so a look started by then finds it gone
            assertTrue(lookedAtMillis <= 2_000, command.getKey() + ": gone within 2 s of the client leaving, found gone only by a "
                    + "look " + lookedAtMillis + " ms after");
        }
    }

    @Test
    void aStreamForAnUnknownSandboxIsATypedError() {
        api().body(Map.of("command", "true", "stream", true)).post("/sandboxes/sb-00000000dead/exec")
                .then().statusCode(404).body("code", equalTo("not_found"));
    }
}
