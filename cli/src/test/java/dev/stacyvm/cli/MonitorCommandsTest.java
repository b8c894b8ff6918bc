package dev.stacyvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stacyvm.contract.api.SandboxEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code events} and {@code top} against a stand-in gateway on loopback: what they print for people and for scripts,
 * and how they end.
 */
class MonitorCommandsTest {

    private HttpServer api;
    private ExecutorService handlers;
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

    private static final String EVENTS = "retry: 10\n: stream of stacyvm.sandbox-events\n\n"
            + event("0:1", "sandbox.created", "{\"to_state\":\"creating\",\"image\":\"stacyvm/base:bookworm\"}")
            + ": heartbeat\n\n"
            + event("0:2", "sandbox.progress", "{\"phase\":\"pulling\",\"detail\":\"pulling python:3.12: 41.2 of 96.0 MiB\","
                    + "\"bytes_done\":43201331,\"bytes_total\":100663296}")
            + event("0:3", "sandbox.running", "{\"from_state\":\"creating\",\"to_state\":\"running\"}")
            + event("0:4", "sandbox.destroyed", "{\"from_state\":\"destroying\",\"to_state\":\"destroyed\",\"reason\":\"requested\"}");

    private static String event(String cursor, String type, String data) {
        return "id: " + cursor + "\ndata: {\"id\":\"e" + cursor + "\",\"type\":\"" + type + "\",\"sandbox_id\":\"sb-0123456789ab\","
                + "\"owner_id\":\"default:alice\",\"timestamp\":\"2026-12-02T09:00:01.5Z\",\"data\":" + data + "}\n\n";
    }

    private static final String STATS = "{\"sandbox_id\":\"sb-a\",\"timestamp\":\"2026-12-02T09:00:01Z\",\"cpu_pct\":97.54,"
            + "\"vcpus\":1,\"mem_bytes\":50541363,\"mem_limit_bytes\":536870912,\"disk_used_bytes\":8388608,"
            + "\"disk_limit_bytes\":10737418240,\"pids\":3,\"pids_limit\":256,\"net_rx_bytes\":1234,\"net_tx_bytes\":0}";

    @BeforeEach
    void aStandInGateway() throws IOException {
        api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        handlers = Executors.newCachedThreadPool();
        api.setExecutor(handlers);
        api.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String lastEventId = exchange.getRequestHeaders().getFirst("Last-Event-ID");
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + (lastEventId == null ? "" : " after " + lastEventId));
            try {
                switch (path) {
                    case "/api/v1/events" -> {
                        if (!"0:4".equals(lastEventId)) {
                            answer(exchange, 200, "text/event-stream", EVENTS);
                        } else {
                            answer(exchange, 401, "application/json", "{\"code\":\"unauthorized\",\"message\":\"the key was revoked\"}");
                        }
                    }
                    case "/api/v1/sandboxes" -> answer(exchange, 200, "application/json",
                            "[{\"id\":\"sb-a\",\"state\":\"running\"},{\"id\":\"sb-b\",\"state\":\"creating\"},"
                                    + "{\"id\":\"sb-c\",\"state\":\"running\"}]");
                    case "/api/v1/sandboxes/sb-a/stats" -> answer(exchange, 200, "application/json", STATS);
                    case "/api/v1/sandboxes/sb-c/stats" -> answer(exchange, 409, "application/json",
                            "{\"code\":\"conflict\",\"message\":\"sandbox sb-c is not running\"}");
                    default -> answer(exchange, 404, "application/json", "{\"code\":\"not_found\",\"message\":\"no " + path + "\"}");
                }
            } finally {
                exchange.close();
            }
        });
        api.start();
    }

    private static void answer(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @AfterEach
    void stop() {
        api.stop(0);
        handlers.shutdownNow();
    }

    private CliRun run(String... words) {
        return CliRun.of(api.getAddress().getPort(), words);
    }

    @Test
    void eventsPrintsALineAnEventAndSaysWhereToGoOnWhenTheStreamEnds() {
        CliRun run = run("events", "--sandbox", "sb-0123456789ab", "--type", "sandbox.created,sandbox.running",
                "--type", "sandbox.progress", "--type", "sandbox.destroyed");
        assertEquals("""
                2026-12-02T09:00:01.500Z  sandbox.created     sb-0123456789ab  -> creating  image stacyvm/base:bookworm
                2026-12-02T09:00:01.500Z  sandbox.progress    sb-0123456789ab  pulling python:3.12: 41.2 of 96.0 MiB
                2026-12-02T09:00:01.500Z  sandbox.running     sb-0123456789ab  creating -> running
                2026-12-02T09:00:01.500Z  sandbox.destroyed   sb-0123456789ab  destroying -> destroyed  (requested)
                """, run.stdout());
        assertEquals(1, run.exit(), "a reconnection the API refused ends it as an error: " + run.stderr());
        assertEquals("""
                stacyvm: following events (Ctrl-C stops)
                stacyvm: the event stream ended; go on with --since-id 0:4
                stacyvm: unauthorized: the key was revoked
                """, run.stderr());
        assertEquals(List.of(
                "GET /api/v1/events?sandbox_id=sb-0123456789ab&type=sandbox.created%2Csandbox.running%2Csandbox.progress%2Csandbox.destroyed",
                "GET /api/v1/events?sandbox_id=sb-0123456789ab&type=sandbox.created%2Csandbox.running%2Csandbox.progress%2Csandbox.destroyed after 0:4"),
                requests, "it reconnected with the last event's id");
    }

    @Test
    void eventsWithJsonPrintsEachEventOnALine() throws Exception {
        CliRun run = run("events", "--json", "--since-id", "0:0");
        String[] lines = run.stdout().split("\n");
        assertEquals(4, lines.length, run.stdout());
        List<String> types = new ArrayList<>();
        for (String line : lines) {
            JsonNode event = Output.JSON.readTree(line);
            types.add(event.get("type").asText());
            assertEquals("sb-0123456789ab", event.get("sandbox_id").asText());
        }
        assertEquals(List.of("sandbox.created", "sandbox.progress", "sandbox.running", "sandbox.destroyed"), types);
        assertEquals("running", Output.JSON.readTree(lines[2]).get("data").get("to_state").asText());
        assertEquals("GET /api/v1/events after 0:0", requests.get(0), "--since-id is sent as Last-Event-ID");
    }

    @Test
    void eventLinesSayWhatChanged() {
        Map<String, Object> pull = new LinkedHashMap<>();
        pull.put("phase", "pulled");
        pull.put("bytes_done", 100663296);
        pull.put("bytes_total", 100663296);
        assertEquals("-  sandbox.progress    sb-1  pulled 96MiB of 96MiB",
                MonitorCommands.line(new SandboxEvent("e", "sandbox.progress", "sb-1", null, null, null, pull)));
        assertEquals("2026-12-02T09:00:00.000Z  sandbox.error       sb-1  creating -> error  (no such image)",
                MonitorCommands.line(new SandboxEvent("e", "sandbox.error", "sb-1", null, null, Instant.parse("2026-12-02T09:00:00Z"),
                        Map.of("from_state", "creating", "to_state", "error", "reason", "no such image"))));
        assertEquals(List.of("0B", "1023B", "1KiB", "1.5KiB", "48.2MiB", "512MiB", "10GiB", "123GiB"),
                List.of(0L, 1023L, 1024L, 1536L, 50541363L, 536870912L, 10737418240L, 132070244352L).stream()
                        .map(MonitorCommands::bytes).toList());
    }

    @Test
    void topOncePrintsTheRunningSandboxesStatsAndLeavesOutThoseThatStoppedMeanwhile() throws Exception {
        CliRun run = run("top", "--once");
        assertEquals(new CliRun(0, """
                ID    CPU%  MEM USED/LIMIT    DISK USED/LIMIT  PIDS     NET RX/TX
                sb-a  97.5  48.2MiB / 512MiB  8MiB / 10GiB     3 / 256  1.2KiB / 0B
                """, ""), run);
        assertTrue(requests.containsAll(List.of("GET /api/v1/sandboxes/sb-a/stats", "GET /api/v1/sandboxes/sb-c/stats")));
        assertTrue(requests.stream().noneMatch(request -> request.contains("sb-b")), "a creating sandbox has no stats: " + requests);

        JsonNode json = Output.JSON.readTree(run("top", "--once", "--json").stdout());
        assertEquals(1, json.size());
        assertEquals("sb-a", json.get(0).get("sandbox_id").asText());
        assertEquals(536870912L, json.get(0).get("mem_limit_bytes").asLong());
    }

    @Test
    void topOnceOfNamedSandboxesSaysWhichHaveNoStats() {
        CliRun run = run("top", "--once", "sb-a", "sb-c", "sb-gone");
        assertEquals(1, run.exit());
        assertTrue(run.stdout().startsWith("ID ") && run.stdout().contains("\nsb-a  97.5") && !run.stdout().contains("sb-c"),
                run.stdout());
        assertEquals("""
                stacyvm: sb-c: conflict: sandbox sb-c is not running
                stacyvm: sb-gone: not_found: no /api/v1/sandboxes/sb-gone/stats
                """, run.stderr());
        assertTrue(requests.stream().noneMatch("GET /api/v1/sandboxes"::equals), "named sandboxes need no listing");
    }

    @Test
    void wrongTypesAndIntervalsAreCommandLineErrorsThatSendNothing() {
        CliRun type = run("events", "--type", "sandbox.running,sandbox.exploded");
        assertEquals(2, type.exit());
        assertTrue(type.stderr().startsWith("stacyvm: --type sandbox.exploded is not an event type; the types are sandbox.created"),
                type.stderr());
        assertEquals(2, run("top", "--interval", "0").exit());
        assertEquals(2, run("top", "--interval", "soon").exit());
        assertEquals(2, run("events", "--since").exit());
        assertEquals(List.of(), requests);
    }
}
