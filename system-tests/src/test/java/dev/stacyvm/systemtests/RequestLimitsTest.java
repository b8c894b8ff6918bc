package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #13, findings 4 to 6: every request body is bounded while it is read, whatever its encoding
 * (413 payload_too_large); a body that stops arriving is ended (408 request_timeout); one caller
 * cannot hold more uploads at once than its limit (429 too_many_uploads); a logs answer is bounded
 * in bytes and says when it was truncated.
 *
 * <p>The limits are the launcher's test settings ({@code cmd_test} in ./stacyvm): 2 MiB for JSON
 * bodies, 32 MiB for streamed ones, 3 s idle, 2 uploads per owner and per key, 64 KiB of logs.
 * Bodies are sent over raw sockets to loopback so that the test decides exactly how (chunked or
 * with a length) and how fast every byte goes.
 */
class RequestLimitsTest {

    static final long MAX_JSON = Long.getLong("stacyvm.limits.max-json-body-bytes", 2L * 1024 * 1024);
    static final long MAX_STREAM = Long.getLong("stacyvm.limits.max-stream-body-bytes", 32L * 1024 * 1024);
    static final long IDLE_MILLIS = Long.getLong("stacyvm.limits.body-idle-timeout-ms", 3000);
    static final int MAX_UPLOADS = Integer.getInteger("stacyvm.limits.max-concurrent-uploads", 2);
    static final long MAX_LOG_BYTES = Long.getLong("stacyvm.limits.logs-max-bytes", 64L * 1024);
    static final String WORKER_URL = System.getProperty("stacyvm.worker-url", "http://127.0.0.1:7525");
    static final String SERVICE_TOKEN = System.getProperty("stacyvm.service-token", "");

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();
    private final List<Socket> open = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closed by the server
            }
        }
        sandboxes.close();
    }

    // ---------------------------------------------------------------- finding 4: bodies past the limit

    @Test
    void chunkedBodiesPastTheLimitAreRefusedWith413() throws Exception {
        String id = sandboxes.create(Map.of());
        String gateway = Suite.URL;
        Map<String, String> asAdmin = Map.of("X-API-Key", Suite.API_KEY);
        Map<String, String> asService = Map.of("X-Service-Token", SERVICE_TOKEN);
        record Route(String name, String base, String method, String path, String contentType,
                     Map<String, String> headers, long limit, Body body) {
        }
        List<Route> routes = List.of(
                new Route("JSON create", gateway, "POST", "/api/v1/sandboxes", "application/json", asAdmin, MAX_JSON,
                        size -> paddedJson("{}", size)),
                new Route("JSON exec", gateway, "POST", "/api/v1/sandboxes/" + id + "/exec", "application/json", asAdmin,
                        MAX_JSON, size -> paddedJson("{\"command\":\"true\"}", size)),
                new Route("file write", gateway, "POST", "/api/v1/sandboxes/" + id + "/files", "application/json",
                        asAdmin, MAX_JSON, size -> paddedJson("{\"path\":\"/workspace/limit.txt\",\"content\":\"x\"}", size)),
                new Route("archive upload", gateway, "PUT", "/api/v1/sandboxes/" + id + "/files/archive?path=/workspace/up",
                        "application/x-tar", asAdmin, MAX_STREAM, RequestLimitsTest::tarOfSize),
                new Route("internal exec with the service token", WORKER_URL, "POST",
                        "/internal/sandboxes/" + id + "/exec", "application/json", asService, MAX_JSON,
                        size -> paddedJson("{\"command\":\"true\"}", size)));
        for (Route route : routes) {
            // a tar is made of 512-byte blocks: just under the limit is one block less
            long under = route.contentType().equals("application/x-tar") ? route.limit() - 512 : route.limit() - 1;
            for (long size : new long[] {under, route.limit()}) {
                Answer answer = send(route.base(), route.method(), route.path(), route.contentType(), route.headers(),
                        route.body(), size, true);
                assertNotEquals(413, answer.status(), route.name() + " with " + size + " bytes: " + answer);
                assertTrue(answer.status() / 100 == 2, route.name() + " with " + size + " bytes is served: " + answer);
                if (route.name().equals("JSON create")) {
                    sandboxes.adopt(answer.json().path("id").asText());
                }
            }
            for (long size : new long[] {route.limit() + 1, 2 * route.limit()}) {
                for (boolean chunked : new boolean[] {true, false}) {
                    Answer answer = send(route.base(), route.method(), route.path(), route.contentType(),
                            route.headers(), route.body(), size, chunked);
                    String what = route.name() + " with " + size + " bytes " + (chunked ? "chunked" : "with a length");
                    assertEquals(413, answer.status(), what + ": " + answer);
                    assertEquals("payload_too_large", answer.json().path("code").asText(), what + ": " + answer);
                    assertEquals(413, answer.json().path("status").asInt(), what + ": " + answer);
                }
            }
            api().get("/health").then().statusCode(200);
        }
    }

    // ---------------------------------------------------------------- finding 5: unbounded answers

    @Test
    void logsAreBoundedInBytesAndStreamed() throws InterruptedException {
        String id = sandboxes.create(Map.of());
        // forty lines of 20,000 characters on the main process's output: 800 KB of logs
        String longLines = "i=0; while [ $i -lt 40 ]; do head -c 20000 /dev/zero | tr '\\0' x; echo; i=$((i+1)); done"
                + " > /proc/1/fd/1";
        api().body(Map.of("command", longLines)).post("/sandboxes/{id}/exec", id)
                .then().statusCode(200).body("exit_code", equalTo(0));
        Response logs = api().queryParam("lines", 10000).get("/sandboxes/{id}/logs", id);
        assertEquals(200, logs.statusCode(), logs.asString());
        byte[] body = logs.asByteArray();
        assertTrue(body.length <= MAX_LOG_BYTES, "the answer is " + body.length + " bytes, over " + MAX_LOG_BYTES);
        assertEquals("true", logs.header("X-StacyVM-Logs-Truncated"));
        assertEquals("chunked", logs.header("Transfer-Encoding"), "streamed through the gateway, not held whole");
        List<String> lines = logs.jsonPath().getList("$", String.class);
        assertTrue(lines.get(0).contains("truncated"), "the answer says it was truncated: " + lines.get(0));
        String newest = lines.get(lines.size() - 1);
        assertEquals("x".repeat(20000), newest, "the newest line is kept whole");
        assertTrue(lines.size() > 2, "as many of the newest lines as fit: " + lines.size());

        // a few short lines are answered whole, and not marked
        api().body(Map.of("command", "echo short-line-1 > /proc/1/fd/1; echo short-line-2 > /proc/1/fd/1"))
                .post("/sandboxes/{id}/exec", id).then().statusCode(200).body("exit_code", equalTo(0));
        // the engine copies a container's output into its log on its own time: wait until they are in
        Response recent = api().queryParam("lines", 2).get("/sandboxes/{id}/logs", id);
        for (int attempt = 0; attempt < 50 && !recent.asString().contains("short-line-2"); attempt++) {
            Thread.sleep(100);
            recent = api().queryParam("lines", 2).get("/sandboxes/{id}/logs", id);
        }
        assertEquals(200, recent.statusCode(), recent.asString());
        assertEquals(List.of("short-line-1", "short-line-2"), recent.jsonPath().getList("$", String.class));
        assertEquals("false", recent.header("X-StacyVM-Logs-Truncated"));
    }

    // ---------------------------------------------------------------- finding 6: slow uploads

    @Test
    void idleUploadsTimeOutWith408() throws Exception {
        String id = sandboxes.create(Map.of());
        record Stalled(String name, String method, String path, String contentType, boolean chunked) {
        }
        for (Stalled stalled : List.of(
                new Stalled("archive upload, chunked", "PUT", "/api/v1/sandboxes/" + id + "/files/archive?path=/workspace/slow",
                        "application/x-tar", true),
                new Stalled("file write with a length", "POST", "/api/v1/sandboxes/" + id + "/files", "application/json", false),
                new Stalled("exec, chunked", "POST", "/api/v1/sandboxes/" + id + "/exec", "application/json", true))) {
            long started = System.nanoTime();
            Socket socket = startBody(Suite.URL, stalled.method(), stalled.path(), stalled.contentType(),
                    Map.of("X-API-Key", Suite.API_KEY), stalled.chunked() ? -1 : 4096);
            // a first piece of the body, then nothing
            writePiece(socket, stalled.chunked(), "{\"pa".getBytes(StandardCharsets.UTF_8));
            Answer answer = readAnswer(socket, IDLE_MILLIS + 15_000);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertEquals(408, answer.status(), stalled.name() + ": " + answer);
            assertEquals("request_timeout", answer.json().path("code").asText(), stalled.name() + ": " + answer);
            assertTrue(tookMillis >= IDLE_MILLIS - 200 && tookMillis < IDLE_MILLIS + 10_000,
                    stalled.name() + " timed out after " + tookMillis + " ms, the idle timeout is " + IDLE_MILLIS);
        }
        // a body that keeps coming, if slowly, is not idle: one byte every third of the timeout
        Socket socket = startBody(Suite.URL, "POST", "/api/v1/sandboxes/" + id + "/exec", "application/json",
                Map.of("X-API-Key", Suite.API_KEY), -1);
        byte[] body = "{\"command\":\"echo slow\"}".getBytes(StandardCharsets.UTF_8);
        long pause = IDLE_MILLIS / 3;
        for (int i = 0; i < body.length; i += 4) {
            writePiece(socket, true, Arrays.copyOfRange(body, i, Math.min(body.length, i + 4)));
            if (i < 16) {
                Thread.sleep(pause);
            }
        }
        endChunks(socket);
        Answer answer = readAnswer(socket, 30_000);
        assertEquals(200, answer.status(), "a slow but steady body: " + answer);
        assertEquals("slow\n", answer.json().path("stdout").asText());
        api().get("/health").then().statusCode(200);
    }

    @Test
    void oneCallerCannotHoldMoreThanTheConcurrentUploadLimit() throws Exception {
        String id = sandboxes.create(Map.of());
        String archive = "/sandboxes/" + id + "/files/archive?path=/workspace/held";
        // api() sends the admin key; the raw uploads send it themselves
        Map<String, String> alice = Map.of("X-User-ID", "limits-alice");
        Map<String, String> bob = Map.of("X-User-ID", "limits-bob");
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < MAX_UPLOADS; i++) {
            Socket socket = startBody(Suite.URL, "PUT", "/api/v1" + archive, "application/x-tar",
                    Map.of("X-API-Key", Suite.API_KEY, "X-User-ID", "limits-alice"), -1);
            writePiece(socket, true, new byte[100]);
            held.add(socket);
        }
        // the held uploads are under way once the gateway has read their first bytes
        Thread.sleep(Math.min(1000, IDLE_MILLIS / 3));
        byte[] tar = tarOfSize(2048);
        Response sameOwner = api().headers(alice).contentType("application/x-tar").body(tar).put(archive);
        assertEquals(429, sameOwner.statusCode(), sameOwner.asString());
        assertEquals("too_many_uploads", sameOwner.jsonPath().getString("code"));
        assertNotNull(sameOwner.header("Retry-After"), "429 says when to retry");
        // the same key acting for someone else is still the same caller's key
        Response sameKey = api().headers(bob).contentType("application/json")
                .body(Map.of("path", "/workspace/bob.txt", "content", "b")).post("/sandboxes/{id}/files", id);
        assertEquals(429, sameKey.statusCode(), sameKey.asString());
        assertEquals("too_many_uploads", sameKey.jsonPath().getString("code"));
        // reads are not uploads
        api().queryParam("path", "/workspace").get("/sandboxes/{id}/files/list", id).then().statusCode(200);

        for (Socket socket : held) {
            socket.close();
        }
        // the slots come back when those requests end; bounded wait
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        int status = 0;
        while (System.nanoTime() < deadline) {
            status = api().headers(alice).contentType("application/x-tar").body(tar).put(archive).statusCode();
            if (status == 200) {
                break;
            }
            Thread.sleep(250);
        }
        assertEquals(200, status, "an upload is accepted again once the held ones ended");
    }

    // ---------------------------------------------------------------- uploads relayed as they arrive (issue #19)

    @Test
    void anUploadThatExpectsContinueIsToldToGoOnAndThenUnpacked() throws Exception {
        String id = sandboxes.create(Map.of());
        byte[] tar = tarOfSize(64 * 1024);
        Socket socket = startBody(Suite.URL, "PUT", "/api/v1/sandboxes/" + id + "/files/archive?path=/workspace/continued",
                "application/x-tar", Map.of("X-API-Key", Suite.API_KEY, "Expect", "100-continue"), tar.length);
        // nothing of the body goes before the server says so (RFC 9110, 10.1.1)
        socket.setSoTimeout(15_000);
        String interim = line(socket.getInputStream());
        assertNotNull(interim, "the connection closed without an interim answer");
        assertTrue(interim.startsWith("HTTP/1.1 100"), "the first answer to Expect: 100-continue: " + interim);
        for (String header = line(socket.getInputStream()); header != null && !header.isEmpty();
             header = line(socket.getInputStream())) {
            // an interim answer's headers, if any
        }
        writePiece(socket, false, tar);
        Answer answer = readAnswer(socket, 30_000);
        assertEquals(200, answer.status(), answer.toString());
        api().queryParam("path", "/workspace/continued/blob.bin").get("/sandboxes/{id}/files/stat", id).then()
                .statusCode(200).body("size", equalTo(64 * 1024 - 1536));
    }

    @Test
    void anUploadCutOffMidwayLeavesNothingInTheSandboxAndFreesItsSlot() throws Exception {
        String id = sandboxes.create(Map.of());
        byte[] tar = tarOfSize(4L * 1024 * 1024);
        Map<String, String> carol = Map.of("X-API-Key", Suite.API_KEY, "X-User-ID", "limits-carol");
        // as many uploads as the caller may hold, each cut off after its first megabyte
        for (int i = 0; i < MAX_UPLOADS; i++) {
            Socket socket = startBody(Suite.URL, "PUT", "/api/v1/sandboxes/" + id + "/files/archive?path=/workspace/cut",
                    "application/x-tar", carol, tar.length);
            writePiece(socket, false, Arrays.copyOfRange(tar, 0, 1024 * 1024));
            socket.close();
        }
        // a cut upload the gateway began to relay ends as a failure the audit trail records (bounded
        // wait); one whose client left before the gateway dispatched it did nothing and may leave
        // no record; none is ever recorded as a success
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<Map<String, Object>> recorded = List.of();
        while (System.nanoTime() < deadline) {
            recorded = api().queryParam("action", "file.archive_write").queryParam("target", id).queryParam("limit", 100)
                    .get("/admin/audit").then().statusCode(200).extract().jsonPath().<Map<String, Object>>getList("$");
            if (recorded.size() >= MAX_UPLOADS) {
                break;
            }
            Thread.sleep(250);
        }
        assertTrue(recorded.size() <= MAX_UPLOADS, "one record at most per cut upload: " + recorded);
        assertTrue(recorded.stream().allMatch(record -> "failure".equals(record.get("outcome"))),
                "a cut upload is never recorded as a success: " + recorded);
        // nothing of them was unpacked, not even the part that arrived, and no temporary folder is left
        api().queryParam("path", "/workspace/cut").get("/sandboxes/{id}/files/stat", id).then().statusCode(404);
        api().queryParam("path", "/workspace").get("/sandboxes/{id}/files/list", id).then().statusCode(200)
                .body("size()", equalTo(0));
        // and the caller's upload slots came back: a whole upload goes through
        Response whole = api().header("X-User-ID", "limits-carol").contentType("application/x-tar").body(tarOfSize(8192))
                .queryParam("path", "/workspace/whole").put("/sandboxes/{id}/files/archive", id);
        assertEquals(200, whole.statusCode(), whole.asString());
    }

    @Test
    void uploadsCutOffBeforeTheirBodyHoldNothingOfTheGatewayOrTheWorker() throws Exception {
        String id = sandboxes.create(Map.of());
        // more than the gateway keeps connections to one worker (64): were each cut upload to hold
        // one, as it would if the cut went unseen, the next upload would find none
        for (int i = 0; i < 70; i++) {
            Socket socket = startBody(Suite.URL, "PUT", "/api/v1/sandboxes/" + id + "/files/archive?path=/workspace/gone",
                    "application/x-tar", Map.of("X-API-Key", Suite.API_KEY, "X-User-ID", "limits-dave-" + (i % 10)), 1000);
            socket.close();
        }
        byte[] tar = tarOfSize(8192);
        // the cut ones' upload slots come back as the gateway sees each connection gone (bounded wait)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Answer whole;
        do {
            whole = send(Suite.URL, "PUT", "/api/v1/sandboxes/" + id + "/files/archive?path=/workspace/after",
                    "application/x-tar", Map.of("X-API-Key", Suite.API_KEY), size -> tar, tar.length, false);
            if (whole.status() != 429) {
                break;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        assertEquals(200, whole.status(), "an upload after 70 cut ones: " + whole);
        api().queryParam("path", "/workspace/gone").get("/sandboxes/{id}/files/stat", id).then().statusCode(404);
    }

    @Test
    void overHttp2AnUploadPastTheLimitIsAnsweredAndTheConnectionKeepsServing() throws Exception {
        String id = sandboxes.create(Map.of());
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_2)
                .connectTimeout(java.time.Duration.ofSeconds(5)).build();
        // a first bodiless request upgrades the connection to HTTP/2 (h2c); the uploads then share it
        java.net.http.HttpResponse<String> health = http.send(java.net.http.HttpRequest.newBuilder(URI.create(Suite.URL + "/api/v1/health"))
                .timeout(java.time.Duration.ofSeconds(30)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(java.net.http.HttpClient.Version.HTTP_2, health.version(), "the gateway speaks h2c");
        // past the limit, with no declared length: refused while it is read
        byte[] tooLarge = tarOfSize(MAX_STREAM + 1024 * 1024);
        java.net.http.HttpResponse<String> refused = http.send(java.net.http.HttpRequest.newBuilder(
                        URI.create(Suite.URL + "/api/v1/sandboxes/" + id + "/files/archive?path=/workspace/h2"))
                .header("X-API-Key", Suite.API_KEY).header("Content-Type", "application/x-tar")
                .timeout(java.time.Duration.ofSeconds(60))
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(tooLarge)))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(java.net.http.HttpClient.Version.HTTP_2, refused.version());
        assertEquals(413, refused.statusCode(), refused.body());
        assertEquals("payload_too_large", JSON.readTree(refused.body()).path("code").asText(), refused.body());
        // the refusal ended that stream, not the connection: a whole upload goes through on it
        byte[] tar = tarOfSize(8192);
        java.net.http.HttpResponse<String> whole = http.send(java.net.http.HttpRequest.newBuilder(
                        URI.create(Suite.URL + "/api/v1/sandboxes/" + id + "/files/archive?path=/workspace/h2"))
                .header("X-API-Key", Suite.API_KEY).header("Content-Type", "application/x-tar")
                .timeout(java.time.Duration.ofSeconds(60))
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(tar)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, whole.statusCode(), whole.body());
        assertEquals(java.net.http.HttpClient.Version.HTTP_2, whole.version());
    }

    @Test
    void anEmptyArchiveUploadIsABadRequestNotAnIncident() {
        String id = sandboxes.create(Map.of());
        Response empty = api().contentType("application/x-tar").body(new byte[0]).queryParam("path", "/workspace/empty")
                .put("/sandboxes/{id}/files/archive", id);
        assertEquals(400, empty.statusCode(), empty.asString());
        assertEquals("bad_request", empty.jsonPath().getString("code"));
    }

    @Test
    void anUploadTheSandboxRefusesAtItsFirstEntryIsAnsweredBeforeTheRestIsSent() throws Exception {
        String id = sandboxes.create(Map.of());
        // a first entry that climbs out of the target, then megabytes the sandbox never has to read
        byte[] tar = tarOfSize(8L * 1024 * 1024);
        byte[] escaping = "../escaped.bin".getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(tar, 0, 100, (byte) 0);
        System.arraycopy(escaping, 0, tar, 0, escaping.length);
        Arrays.fill(tar, 148, 156, (byte) ' ');
        int sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += tar[i] & 0xff;
        }
        put(tar, 148, String.format(Locale.ROOT, "%06o\0 ", sum));
        Answer answer = send(Suite.URL, "PUT", "/api/v1/sandboxes/" + id + "/files/archive?path=/workspace/refused",
                "application/x-tar", Map.of("X-API-Key", Suite.API_KEY), size -> tar, tar.length, false);
        assertEquals(400, answer.status(), answer.toString());
        assertTrue(answer.json().path("message").asText().contains("archive refused"), answer.toString());
        api().queryParam("path", "/workspace").get("/sandboxes/{id}/files/list", id).then().statusCode(200)
                .body("size()", equalTo(0));
        api().get("/health").then().statusCode(200);
    }

    // ---------------------------------------------------------------- raw HTTP over loopback

    interface Body {
        byte[] ofSize(long size) throws IOException;
    }

    record Answer(int status, Map<String, String> headers, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                return JSON.createObjectNode();
            }
        }

        @Override
        public String toString() {
            return status + " " + (body.length() > 500 ? body.substring(0, 500) + "..." : body);
        }
    }

    /** Valid JSON of exactly {@code size} bytes: the object, then spaces. */
    static byte[] paddedJson(String object, long size) {
        byte[] json = object.getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[Math.toIntExact(size)];
        Arrays.fill(body, (byte) ' ');
        System.arraycopy(json, 0, body, 0, json.length);
        return body;
    }

    /** A valid tar of exactly {@code size} bytes (a multiple of 512): one file, then the end blocks. */
    static byte[] tarOfSize(long size) {
        byte[] tar = new byte[Math.toIntExact(size)];
        long data = size - 512 - 1024;
        byte[] header = new byte[512];
        put(header, 0, "blob.bin");
        put(header, 100, "0000644\0");
        put(header, 108, "0001750\0");
        put(header, 116, "0001750\0");
        put(header, 124, String.format(Locale.ROOT, "%011o\0", Math.max(0, data)));
        put(header, 136, "00000000000\0");
        Arrays.fill(header, 148, 156, (byte) ' ');
        header[156] = '0';
        put(header, 257, "ustar\0");
        put(header, 263, "00");
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, String.format(Locale.ROOT, "%06o\0 ", sum));
        System.arraycopy(header, 0, tar, 0, 512);
        return tar;
    }

    private static void put(byte[] block, int offset, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, block, offset, bytes.length);
    }

    /** Sends a whole body (chunked in 64 KiB chunks, or with its length) and reads the answer. */
    private Answer send(String base, String method, String path, String contentType, Map<String, String> headers,
                        Body body, long size, boolean chunked) throws Exception {
        byte[] bytes = body.ofSize(size);
        Socket socket = startBody(base, method, path, contentType, headers, chunked ? -1 : bytes.length);
        // the answer is read while the body is still being sent: a refusal comes before the end
        CompletableFuture<Answer> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return readAnswer(socket, 60_000);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            for (int offset = 0; offset < bytes.length && !answer.isDone(); offset += 65536) {
                writePiece(socket, chunked, Arrays.copyOfRange(bytes, offset, Math.min(bytes.length, offset + 65536)));
            }
            if (chunked && !answer.isDone()) {
                endChunks(socket);
            }
        } catch (IOException refusedMidway) {
            // the server closed the connection after answering: the answer is what counts
        }
        return answer.get(90, TimeUnit.SECONDS);
    }

    /** Opens a connection and sends the request head; {@code length} -1 means a chunked body. */
    private Socket startBody(String base, String method, String path, String contentType, Map<String, String> headers,
                             long length) throws IOException {
        URI uri = URI.create(base);
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
        open.add(socket);
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n")
                .append("Host: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n")
                .append("Accept: application/json\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append(length < 0 ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + length + "\r\n").append("\r\n");
        socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    private static void writePiece(Socket socket, boolean chunked, byte[] piece) throws IOException {
        OutputStream out = socket.getOutputStream();
        if (chunked) {
            out.write((Integer.toHexString(piece.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(piece);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        } else {
            out.write(piece);
        }
        out.flush();
    }

    private static void endChunks(Socket socket) throws IOException {
        socket.getOutputStream().write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /** Reads one HTTP/1.1 answer (with a length, chunked, or up to the close), waiting at most {@code timeoutMillis}. */
    private static Answer readAnswer(Socket socket, long timeoutMillis) throws IOException {
        socket.setSoTimeout((int) timeoutMillis);
        InputStream in = socket.getInputStream();
        String statusLine = line(in);
        if (statusLine == null) {
            throw new IOException("the connection closed without an answer");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            if (headers.containsKey("content-length")) {
                body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
            } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                for (int size = Integer.parseInt(line(in).trim(), 16); size > 0; size = Integer.parseInt(line(in).trim(), 16)) {
                    body.write(in.readNBytes(size));
                    line(in);
                }
            } else {
                body.write(in.readNBytes(1 << 20));
            }
        } catch (SocketTimeoutException | NumberFormatException | NullPointerException incomplete) {
            // the head is what the tests look at; a cut body shows in the failure message
        }
        return new Answer(status, headers, body.toString(StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.US_ASCII);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
    }
}
