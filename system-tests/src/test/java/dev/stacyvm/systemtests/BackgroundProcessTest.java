package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.client.RemoteSandbox;
import dev.stacyvm.client.StacyVMClient;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.BackgroundOutput;
import dev.stacyvm.contract.api.BackgroundProcess;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.ExecRequest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code background: true}: a dev server that outlives its exec, is listed, serves a preview, is
 * reconnected to without missing or repeating output, and is signalled and killed.
 */
class BackgroundProcessTest {

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    @AfterEach
    void destroy() {
        sandboxes.close();
    }

    /** GETs the sandbox's port 3000 through the preview router (a public preview); answers the status. */
    private static int preview(String id) {
        return RestAssured.given().baseUri(PreviewTest.ROUTER).header("Host", "3000-" + id + ".localhost:" + PreviewTest.ROUTER_PORT)
                .redirects().follow(false).get("/index.html").statusCode();
    }

    private static JsonPath output(String id, String process, long since) {
        return api().queryParam("since", since).get("/sandboxes/{id}/exec/background/{p}/output", id, process)
                .then().statusCode(200).extract().jsonPath();
    }

    private static String text(JsonPath output) {
        return String.join("", output.getList("chunks.data", String.class));
    }

    @Test
    void aBackgroundDevServerOutlivesItsExecServesAPreviewAndIsReconnectedToAndStopped() throws Exception {
        String id = sandboxes.create(Map.of("ports", List.of(3000), "public_preview", true, "ttl", "10m"));
        api().body(Map.of("path", "/workspace/index.html", "content", "hello from a dev server")).post("/sandboxes/{id}/files", id)
                .then().statusCode(200);
        long started = System.nanoTime();
        String process = api().body(Map.of("command", "cd /workspace && exec python3 -u -m http.server 3000", "background", true))
                .post("/sandboxes/{id}/exec", id).then().statusCode(202)
                .body("state", equalTo("running")).body("id", startsWith("bg-")).extract().path("id");
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 20, "the exec answered without waiting");

        // the server outlives the exec that started it, and is what the preview shows
        int status = 0;
        for (int attempt = 0; attempt < 100 && status != 200; attempt++) {
            Thread.sleep(200);
            status = preview(id);
        }
        assertEquals(200, status, "the preview reaches the background server");
        assertEquals("hello from a dev server", RestAssured.given().baseUri(PreviewTest.ROUTER)
                .header("Host", "3000-" + id + ".localhost:" + PreviewTest.ROUTER_PORT).get("/index.html").asString());
        List<Map<String, Object>> listed = api().get("/sandboxes/{id}/exec/background", id).then().statusCode(200)
                .extract().jsonPath().getList("$");
        assertTrue(listed.stream().anyMatch(p -> process.equals(p.get("id")) && "running".equals(p.get("state"))), listed.toString());

        // its buffered output, then a reconnect from where that left off: only what is new
        JsonPath first = output(id, process, 0);
        assertTrue(text(first).contains("Serving HTTP on"), text(first));
        assertTrue(text(first).contains("GET /index.html"), "the preview's requests are in its log: " + text(first));
        long next = first.getLong("next");
        assertFalse(first.getBoolean("dropped"));
        try (Follow follow = new Follow(id, process, next)) {
            preview(id);
            String live = follow.until(lines -> lines.contains("GET /index.html"), 20);
            assertFalse(live.contains("Serving HTTP on"), "a reconnect repeats nothing: " + live);
        }
        JsonPath after = output(id, process, next);
        assertEquals(next, after.getList("chunks.offset", Long.class).get(0), "it resumes exactly at next");

        // stopped with SIGTERM: exited, with the status a signal gives
        api().body(Map.of("signal", "TERM")).post("/sandboxes/{id}/exec/background/{p}/signal", id, process).then().statusCode(200);
        JsonPath ended = null;
        for (int attempt = 0; attempt < 100; attempt++) {
            ended = api().get("/sandboxes/{id}/exec/background/{p}", id, process).then().statusCode(200).extract().jsonPath();
            if ("exited".equals(ended.getString("state"))) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals("exited", ended.getString("state"), ended.prettify());
        assertEquals(128 + 15, ended.getInt("exit_code"));
        assertTrue(preview(id) != 200, "nothing serves the preview any more");
        api().delete("/sandboxes/{id}/exec/background/{p}", id, process).then().statusCode(200);
        api().get("/sandboxes/{id}/exec/background/{p}", id, process).then().statusCode(404).body("code", equalTo("not_found"));
        List<Map<String, Object>> audit = List.of();
        for (int attempt = 0; attempt < 100; attempt++) {
            audit = api().queryParam("target", id).get("/admin/audit").then().statusCode(200).extract().jsonPath().getList("$");
            if (audit.stream().anyMatch(r -> String.valueOf(r.get("detail")).equals("signal TERM to background process " + process))) {
                break;
            }
            Thread.sleep(200);
        }
        assertTrue(audit.stream().anyMatch(r -> String.valueOf(r.get("detail")).startsWith("background process " + process + " started")),
                audit.toString());
        assertTrue(audit.stream().anyMatch(r -> String.valueOf(r.get("detail")).equals("signal TERM to background process " + process)),
                audit.toString());
    }

    @Test
    void killingABackgroundProcessEndsEverythingItStarted() throws Exception {
        String id = sandboxes.create(Map.of());
        String process = api().body(Map.of("command", "sleep 311 & sleep 312", "background", true))
                .post("/sandboxes/{id}/exec", id).then().statusCode(202).extract().path("id");
        awaitProcesses(id, commands -> commands.contains("sleep 311") && commands.contains("sleep 312"));
        api().delete("/sandboxes/{id}/exec/background/{p}", id, process).then().statusCode(200);
        awaitProcesses(id, commands -> !commands.contains("sleep 311") && !commands.contains("sleep 312"));
    }

    @Test
    void badBackgroundRequestsAreTypedErrors() {
        String id = sandboxes.create(Map.of());
        api().body(Map.of("command", "sleep 1", "background", true, "stream", true)).post("/sandboxes/{id}/exec", id)
                .then().statusCode(400).body("code", equalTo("bad_request"));
        api().get("/sandboxes/{id}/exec/background/{p}", id, "bg-000000000000").then().statusCode(404);
        api().get("/sandboxes/{id}/exec/background/{p}", id, "..%2F..%2Fsandboxes").then().statusCode(404);
        String viewer;
        try (Suite.Keys keys = new Suite.Keys()) {
            viewer = keys.issue("default", "viewer");
            Suite.as(viewer).body(Map.of("command", "sleep 1", "background", true)).post("/sandboxes/{id}/exec", id)
                    .then().statusCode(403);
            String stranger = keys.issue("background-strangers", "user");
            Suite.as(stranger).get("/sandboxes/{id}/exec/background", id).then().statusCode(404);
        }
    }

    /**
     * At most 16 background processes run in a sandbox, however many starts arrive at once: the
     * limit counts starts still in flight, so a burst cannot slip past it together.
     */
    @Test
    void aSandboxRunsAtMostSixteenBackgroundProcessesEvenWhenStartedAllAtOnce() throws Exception {
        String id = sandboxes.create(Map.of());
        int asked = 24;
        List<Integer> statuses;
        try (var starts = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < asked; i++) {
                answers.add(starts.submit(() -> api().body(Map.of("command", "sleep 120", "background", true))
                        .post("/sandboxes/{id}/exec", id).statusCode()));
            }
            statuses = new java.util.ArrayList<>();
            for (var answer : answers) {
                statuses.add(answer.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
        }
        assertEquals(16, statuses.stream().filter(status -> status == 202).count(), statuses.toString());
        assertEquals(asked - 16, statuses.stream().filter(status -> status == 429).count(), statuses.toString());
        List<Map<String, Object>> listed = api().get("/sandboxes/{id}/exec/background", id).then().statusCode(200)
                .extract().jsonPath().getList("$");
        assertEquals(16, listed.stream().filter(process -> "running".equals(process.get("state"))).count(), listed.toString());
        api().body(Map.of("command", "sleep 120", "background", true)).post("/sandboxes/{id}/exec", id)
                .then().statusCode(429).body("code", equalTo("resource_limit"));
    }

    /** A followed output stream (NDJSON), read on the test's thread with a bounded wait. */
    private static final class Follow implements AutoCloseable {
        private final InputStream body;
        private final BufferedReader lines;
        private final StringBuilder seen = new StringBuilder();

        Follow(String id, String process, long since) throws Exception {
            HttpRequest request = HttpRequest.newBuilder(URI.create(Suite.URL + "/api/v1/sandboxes/" + id + "/exec/background/"
                    + process + "/output?follow=true&since=" + since)).header("X-API-Key", Suite.API_KEY).build();
            HttpResponse<InputStream> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            body = response.body();
            lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        }

        String until(Predicate<String> done, int seconds) throws Exception {
            long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    for (String line; (line = lines.readLine()) != null; ) {
                        if (!line.isBlank()) {
                            synchronized (seen) {
                                seen.append(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line).path("data").asText());
                            }
                        }
                    }
                } catch (java.io.IOException closed) {
                    // the test closed it
                }
            });
            while (System.nanoTime() < deadline) {
                synchronized (seen) {
                    if (done.test(seen.toString())) {
                        return seen.toString();
                    }
                }
                Thread.sleep(100);
            }
            reader.interrupt();
            throw new AssertionError("followed output within " + seconds + " s: " + seen);
        }

        @Override
        public void close() throws Exception {
            body.close();
        }
    }

    @Test
    void theJavaClientStartsListsReadsSignalsAndKillsABackgroundProcess() throws InterruptedException {
        String id = sandboxes.create(Map.of("ttl", "5m"));
        RemoteSandbox sandbox = StacyVMClient.connect(Suite.URL, Suite.API_KEY).get(id);

        BackgroundProcess started = sandbox.startBackground(new ExecRequest("sh",
                List.of("-c", "echo ready; trap 'echo bye; exit 7' TERM; while :; do sleep 0.1; done"),
                // argv: the signal's group is this shell's, with no /bin/sh -c around it to die of TERM first
                ExecRequest.MODE_ARGV, null, null, null, null));
        assertTrue(started.id().startsWith("bg-"), started.toString());
        assertEquals(BackgroundProcess.RUNNING, started.state());
        assertEquals(List.of(started.id()), sandbox.backgroundProcesses().stream().map(BackgroundProcess::id).toList());

        BackgroundOutput first = awaitOutput(sandbox, started.id(), 0, text -> text.contains("ready"));
        assertEquals("ready\n", text(first));
        BackgroundProcess signalled = sandbox.signalBackground(started.id(), "TERM");
        assertEquals(started.id(), signalled.id());
        BackgroundOutput rest = awaitOutput(sandbox, started.id(), first.next(), text -> text.contains("bye"));
        // the signal reaches the whole job, so the shell may also report its sleep's end ("Terminated"), before or after
        assertTrue(text(rest).contains("bye\n") && !text(rest).contains("ready"),
                "only what came after next, once: " + text(rest));
        BackgroundProcess ended = sandbox.backgroundProcess(started.id());
        for (int attempt = 0; attempt < 50 && !BackgroundProcess.EXITED.equals(ended.state()); attempt++) {
            Thread.sleep(100);
            ended = sandbox.backgroundProcess(started.id());
        }
        assertEquals(BackgroundProcess.EXITED, ended.state());
        assertEquals(7, ended.exitCode(), "its TERM trap's exit status");

        sandbox.killBackground(started.id());
        ApiException gone = assertThrows(ApiException.class, () -> sandbox.backgroundProcess(started.id()));
        assertEquals(ErrorCode.NOT_FOUND, gone.code());
    }

    private static BackgroundOutput awaitOutput(RemoteSandbox sandbox, String process, long since, Predicate<String> done)
            throws InterruptedException {
        BackgroundOutput output = sandbox.backgroundOutput(process, since);
        for (int attempt = 0; attempt < 50 && !done.test(text(output)); attempt++) {
            Thread.sleep(100);
            output = sandbox.backgroundOutput(process, since);
        }
        return output;
    }

    private static String text(BackgroundOutput output) {
        StringBuilder text = new StringBuilder();
        output.chunks().forEach(chunk -> text.append(chunk.data()));
        return text.toString();
    }

    private static void awaitProcesses(String id, Predicate<List<String>> ok) throws InterruptedException {
        List<String> commands = List.of();
        for (int attempt = 0; attempt < 40; attempt++) {
            commands = api().get("/sandboxes/{id}/processes", id).then().statusCode(200).extract().jsonPath()
                    .getList("processes.command", String.class);
            if (ok.test(commands)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the sandbox's processes: " + commands);
    }
}
