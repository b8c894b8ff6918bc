package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Live previews through the preview-router: a real web app in a sandbox, seen by headless Chromium
 * (page, WebSocket echo, screenshot), private previews and their tokens, streaming in both
 * directions, and every way the router must refuse to proxy.
 */
class PreviewTest {

    static final int ROUTER_PORT = Integer.getInteger("stacyvm.preview-port", 7580);
    static final String ROUTER = "http://127.0.0.1:" + ROUTER_PORT;
    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    private final List<String> keyIds = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        sandboxes.close();
        for (String keyId : keyIds) {
            api().delete("/admin/api-keys/{id}", keyId);
        }
    }

    private String createKey(String name, String tenant, String role) {
        Response created = api().body(Map.of("name", name, "tenant", tenant, "role", role)).post("/admin/api-keys");
        created.then().statusCode(201);
        keyIds.add(created.path("id"));
        return created.path("key");
    }

    private static RequestSpecification as(String key) {
        return RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").header("X-API-Key", key)
                .contentType(io.restassured.http.ContentType.JSON).log().ifValidationFails();
    }

    /** Sends until the answer has the wanted status, for at most {@code seconds}; the last answer. */
    private static Response awaitStatus(Supplier<Response> request, int wanted, int seconds) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(seconds);
        Response answer = request.get();
        while (answer.statusCode() != wanted && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
            answer = request.get();
        }
        return answer;
    }

    /** A sandbox running the test web app on port 3000 (and declaring 8080, where nothing listens). */
    private String sandboxWithApp(boolean publicPreview) throws IOException {
        String id = sandboxes.create(Map.of("ports", List.of(3000, 8080), "public_preview", publicPreview, "ttl", "10m"));
        startApp(id);
        return id;
    }

    /** Starts the test web app on port 3000 of sandbox {@code id} and waits (at most 30 s) until it listens. */
    static void startApp(String id) throws IOException {
        String app;
        try (InputStream source = PreviewTest.class.getResourceAsStream("/preview-app/app.py")) {
            app = new String(source.readAllBytes(), StandardCharsets.UTF_8);
        }
        api().body(Map.of("path", "/workspace/app.py", "content", app)).post("/sandboxes/{id}/files", id)
                .then().statusCode(200);
        api().body(Map.of("mode", "shell", "command", "setsid python3 /workspace/app.py 3000 >/tmp/app.log 2>&1 </dev/null &"
                        + " for i in $(seq 300); do python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", 3000))'"
                        + " 2>/dev/null && exit 0; sleep 0.1; done; exit 1"))
                .post("/sandboxes/{id}/exec", id).then().statusCode(200).body("exit_code", equalTo(0));
    }

    private static String host(int port, String sandboxId) {
        return port + "-" + sandboxId + ".localhost:" + ROUTER_PORT;
    }

    private static RequestSpecification preview(int port, String sandboxId) {
        return RestAssured.given().baseUri(ROUTER).header("Host", host(port, sandboxId)).redirects().follow(false)
                .log().ifValidationFails();
    }

    private static String token(String sandboxId, int port) {
        return api().get("/sandboxes/{id}/preview/{port}", sandboxId, port).then().statusCode(200)
                .body("url", equalTo("http://" + host(port, sandboxId)))
                .extract().path("token");
    }

    @Test
    void aBrowserShowsTheAppAndItsWebSocketEchoThroughAPrivatePreview() throws Exception {
        String id = sandboxWithApp(false);
        String token = token(id, 3000);
        try (Browser browser = new Browser()) {
            browser.open("http://" + host(3000, id) + "/?preview_token=" + token);
            String title = browser.await("return document.getElementById('title') && document.getElementById('title').textContent",
                    "Hello from the sandbox", 20);
            assertEquals("Hello from the sandbox", title);
            String echo = browser.await("return document.getElementById('echo').textContent", "echo: ping", 20);
            assertTrue(echo.startsWith("echo: ping "), "the page shows the WebSocket echo: " + echo);
            assertEquals("http://" + host(3000, id) + "/", browser.evaluate("return location.href"),
                    "the token left the address bar for an HttpOnly cookie");
            assertEquals("", browser.evaluate("return document.cookie"), "the preview cookie is HttpOnly");
            Path screenshot = Path.of("target", "preview-browser.png");
            browser.screenshot(screenshot);
            assertTrue(Files.size(screenshot) > 1000, "a screenshot was kept at " + screenshot.toAbsolutePath());
        }
    }

    @Test
    void aPrivatePreviewOpensOnlyWithItsOwnToken() throws Exception {
        String id = sandboxWithApp(false);
        String other = sandboxWithApp(false);
        String token = token(id, 3000);

        preview(3000, id).header("Accept", "text/html").get("/").then().statusCode(401)
                .contentType(containsString("text/html")).body(containsString("This preview is private"));
        preview(3000, id).get("/").then().statusCode(401).body("code", equalTo("unauthorized"));
        preview(3000, id).header("X-Preview-Token", token.substring(0, token.length() - 3) + "AAA").get("/")
                .then().statusCode(401).body("message", containsString("not valid"));
        preview(3000, id).header("X-Preview-Token", token(other, 3000)).get("/")
                .then().statusCode(401).body("message", containsString("another preview"));
        preview(3000, id).header("X-Preview-Token", "garbage").get("/").then().statusCode(401);

        preview(3000, id).header("X-Preview-Token", token).get("/").then().statusCode(200)
                .body(containsString("Hello from the sandbox"));
        Response redirect = preview(3000, id).get("/headers?x=1&preview_token=" + token);
        redirect.then().statusCode(302).header("Location", equalTo("/headers?x=1"));
        String cookie = redirect.header("Set-Cookie");
        assertTrue(cookie.contains("HttpOnly") || cookie.contains("HTTPOnly"), cookie);
        assertFalse(cookie.toLowerCase().contains("domain="), "the cookie stays on this preview host: " + cookie);
        String seenByApp = preview(3000, id).header("Cookie", "theme=dark; " + cookie.split(";")[0])
                .header("X-Preview-Token", token).get("/headers").then().statusCode(200).extract().asString();
        assertTrue(seenByApp.contains("theme=dark"), seenByApp);
        assertFalse(seenByApp.contains(token), "the app never sees the preview token: " + seenByApp);
        // the token opens port 3000 only
        preview(8080, id).header("X-Preview-Token", token).get("/").then().statusCode(401);
    }

    @Test
    void viewersCannotMintPreviewTokens() {
        String tenant = "preview-" + UUID.randomUUID().toString().substring(0, 8);
        String userKey = createKey("app", tenant, "user");
        String viewerKey = createKey("dashboard", tenant, "viewer");
        String id = as(userKey).body(Map.of("ports", List.of(3000), "ttl", "10m")).post("/sandboxes")
                .then().statusCode(201).extract().path("id");
        sandboxes.adopt(id);
        // a token sends any method to the app: a read-only key gets none, nor may it revoke the owner's
        as(viewerKey).get("/sandboxes/{id}/preview/{port}", id, 3000).then().statusCode(403)
                .body("code", equalTo("forbidden")).body("message", containsString("viewer"))
                .body(not(containsString("token\"")));
        as(viewerKey).post("/sandboxes/{id}/preview/rotate", id).then().statusCode(403).body("code", equalTo("forbidden"));
        // the owner's own key still mints
        as(userKey).get("/sandboxes/{id}/preview/{port}", id, 3000).then().statusCode(200)
                .body("token", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void rotatingThePreviewSecretRevokesEarlierTokens() throws Exception {
        String id = sandboxWithApp(false);
        String token = token(id, 3000);
        preview(3000, id).header("X-Preview-Token", token).get("/").then().statusCode(200)
                .body(containsString("Hello from the sandbox"));
        String cookie = preview(3000, id).get("/?preview_token=" + token).then().statusCode(302)
                .extract().header("Set-Cookie").split(";")[0];
        preview(3000, id).header("Cookie", cookie).get("/").then().statusCode(200);

        api().post("/sandboxes/{id}/preview/rotate", id).then().statusCode(200)
                .body("sandbox_id", equalTo(id)).body("generation", equalTo(1));
        // the router reads the sandbox's new route from Kafka: bounded wait for it
        awaitStatus(() -> preview(3000, id).header("X-Preview-Token", token).get("/"), 401, 20).then().statusCode(401)
                .body("message", containsString("revoked"));
        preview(3000, id).header("Cookie", cookie).get("/").then().statusCode(401).body("message", containsString("revoked"));
        preview(3000, id).get("/?preview_token=" + token).then().statusCode(401);

        String fresh = token(id, 3000);
        assertNotEquals(token, fresh);
        preview(3000, id).header("X-Preview-Token", fresh).get("/").then().statusCode(200)
                .body(containsString("Hello from the sandbox"));
        List<String> actions = SandboxLifecycleTest.awaitAuditActions(id, 6, Instant.now().minusSeconds(120));
        assertTrue(actions.contains("preview.rotate"), "the rotation is audited: " + actions);
    }

    @Test
    void previewTokensExpireByDefaultWithinTheShortLifetime() {
        String id = sandboxes.create(Map.of("ports", List.of(3000), "ttl", "2h"));
        Instant before = Instant.now().minusSeconds(1);
        Response access = api().get("/sandboxes/{id}/preview/{port}", id, 3000);
        access.then().statusCode(200);
        Instant after = Instant.now().plusSeconds(1);
        Instant expiresAt = Instant.parse(access.path("expires_at"));
        // the expiry the token itself carries (and that the router enforces), not just what the answer says
        String claims = new String(Base64.getUrlDecoder().decode(access.<String>path("token").split("\\.")[0]),
                StandardCharsets.UTF_8);
        Instant carried = Instant.ofEpochSecond(Long.parseLong(claims.split("\\|")[2]));
        assertEquals(expiresAt, carried, "the answer's expires_at is the token's own: " + claims);
        Duration lifetime = Duration.ofMinutes(15);
        assertTrue(!carried.isAfter(after.plus(lifetime)), "a token lives at most 15 minutes by default: " + carried);
        assertTrue(carried.isAfter(before.plus(lifetime).minusSeconds(2)), "and the whole 15 minutes: " + carried);
    }

    @Test
    void bodiesStreamBothWaysAndWebSocketsUpgrade() throws Exception {
        String id = sandboxWithApp(true);
        byte[] upload = new byte[3 * 1024 * 1024 + 17];
        new SecureRandom().nextBytes(upload);
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(upload));
        for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
            preview(3000, id).body(upload).request(method, "/upload").then().statusCode(200)
                    .body("method", equalTo(method)).body("size", equalTo(upload.length)).body("sha256", equalTo(digest));
        }
        preview(3000, id).get("/chunked").then().statusCode(200).header("Transfer-Encoding", "chunked")
                .body(equalTo("chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n"));
        preview(3000, id).get("/events").then().statusCode(200).contentType(containsString("text/event-stream"))
                .body(containsString("data: event 0")).body(containsString("data: event 2"));
        assertEquals("echo through the router", webSocketEcho(host(3000, id), "echo through the router"));
        // declared, but nothing listens there
        preview(8080, id).get("/").then().statusCode(503).body("code", equalTo("unavailable"))
                .body("message", containsString("port 8080"));
    }

    /**
     * Every outcome of subprotocol negotiation RFC 6455 (4.2.2) allows reaches the client as the app
     * decided it: the protocol it picked (whichever of the offered), none, or its refusal with its
     * own status and body; the accept value is the app's answer to the client's own key.
     */
    @Test
    void everySubprotocolNegotiationOutcomeReachesTheClientAsTheAppDecidedIt() throws Exception {
        String id = sandboxWithApp(true);
        record Outcome(String path, String offered, int status, String chosen) {
        }
        for (Outcome outcome : List.of(
                new Outcome("/ws?pick=chat", "graphql-ws, chat", 101, "chat"),
                new Outcome("/ws?pick=graphql-ws", "graphql-ws, chat", 101, "graphql-ws"),
                new Outcome("/ws", "graphql-ws, chat", 101, null),
                new Outcome("/ws?pick=chat", null, 101, null),
                new Outcome("/ws?pick=chat", "chat", 101, "chat"),
                new Outcome("/ws?refuse=403", "chat", 403, null),
                new Outcome("/ws?refuse=400", null, 400, null))) {
            try (RawWebSocket socket = new RawWebSocket(ROUTER_PORT, host(3000, id), outcome.path(), outcome.offered())) {
                assertEquals(outcome.status(), socket.status, outcome + ": " + socket.headers);
                assertEquals(outcome.chosen(), socket.headers.get("sec-websocket-protocol"), outcome.toString());
                if (outcome.status() == 101) {
                    assertEquals(socket.expectedAccept(), socket.headers.get("sec-websocket-accept"), outcome.toString());
                    socket.send(true, 1, "hi".getBytes(StandardCharsets.UTF_8));
                    assertEquals("hi", new String(socket.read().payload(), StandardCharsets.UTF_8), outcome.toString());
                } else {
                    assertEquals("no upgrade here\n", socket.body(), outcome + ": the app's own refusal");
                }
            }
        }
    }

    /**
     * Extension negotiation passes as the app decides it (RFC 6455 9.1, RFC 7692): offered
     * permessage-deflate that the app takes comes back in its 101, and compressed messages (RSV1
     * set) pass both ways with their bytes and bit untouched; declined, the 101 names none.
     */
    @Test
    void permessageDeflateIsNegotiatedByTheAppAndCompressedMessagesPassUntouched() throws Exception {
        String id = sandboxWithApp(true);
        String offer = "permessage-deflate; client_max_window_bits";
        try (RawWebSocket socket = new RawWebSocket(ROUTER_PORT, host(3000, id), "/ws?deflate=1", null, offer)) {
            assertEquals(101, socket.status, socket.headers.toString());
            assertEquals("permessage-deflate; server_no_context_takeover; client_no_context_takeover",
                    socket.headers.get("sec-websocket-extensions"), "the app's choice reaches the client");
            for (String text : List.of("hello", "compressed ".repeat(20_000))) {
                byte[] compressed = deflate(text.getBytes(StandardCharsets.UTF_8));
                socket.send(true, 1, compressed, true);
                RawWebSocket.Frame echo = socket.read();
                assertTrue(echo.rsv1(), "the echo is still marked compressed");
                assertTrue(Arrays.equals(compressed, echo.payload()), text.length() + " chars: the bytes are untouched");
                assertEquals(text, inflate(echo.payload()));
            }
        }
        try (RawWebSocket socket = new RawWebSocket(ROUTER_PORT, host(3000, id), "/ws", null, offer)) {
            assertEquals(101, socket.status);
            assertNull(socket.headers.get("sec-websocket-extensions"), "a declined extension is named by no one");
            socket.send(true, 1, "plain".getBytes(StandardCharsets.UTF_8));
            RawWebSocket.Frame echo = socket.read();
            assertFalse(echo.rsv1());
            assertEquals("plain", new String(echo.payload(), StandardCharsets.UTF_8));
        }
    }

    /** A message compressed as permessage-deflate sends it: raw DEFLATE, the final empty block's 00 00 ff ff removed. */
    private static byte[] deflate(byte[] message) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(message);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH)) > 0) {
            out.write(buffer, 0, n);
        }
        deflater.end();
        byte[] all = out.toByteArray();
        return Arrays.copyOf(all, all.length - 4);
    }

    private static String inflate(byte[] payload) throws DataFormatException {
        Inflater inflater = new Inflater(true);
        byte[] tail = {0, 0, (byte) 0xff, (byte) 0xff};
        byte[] input = Arrays.copyOf(payload, payload.length + 4);
        System.arraycopy(tail, 0, input, payload.length, 4);
        inflater.setInput(input);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = inflater.inflate(buffer)) > 0) {
            out.write(buffer, 0, n);
        }
        inflater.end();
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * WebSocket messages of every size pass both ways unchanged, across each length encoding's
     * boundary (7-bit, 16-bit, 64-bit) and past the 16 MiB an earlier router capped; fragments keep
     * their FIN bits and opcodes; a ping gets the app's pong.
     */
    @Test
    void webSocketMessagesOfAnySizeAndTheirFragmentsPassBothWaysUnchanged() throws Exception {
        String id = sandboxWithApp(true);
        try (RawWebSocket socket = new RawWebSocket(ROUTER_PORT, host(3000, id), "/ws", null)) {
            assertEquals(101, socket.status);
            for (int size : List.of(0, 1, 125, 126, 127, 65535, 65536, 65537, (16 << 20) + 1)) {
                byte[] payload = new byte[size];
                new SecureRandom().nextBytes(payload);
                socket.send(true, 2, payload);
                RawWebSocket.Frame echo = socket.read();
                assertEquals(2, echo.opcode(), "a binary frame of " + size + " bytes comes back binary");
                assertTrue(Arrays.equals(payload, echo.payload()), size + " bytes come back unchanged");
            }
            List<RawWebSocket.Frame> sent = List.of(new RawWebSocket.Frame(false, 1, "frag".getBytes(StandardCharsets.UTF_8)),
                    new RawWebSocket.Frame(false, 0, "ment".getBytes(StandardCharsets.UTF_8)),
                    new RawWebSocket.Frame(true, 0, "ed".getBytes(StandardCharsets.UTF_8)));
            for (RawWebSocket.Frame frame : sent) {
                socket.send(frame.fin(), frame.opcode(), frame.payload());
            }
            for (RawWebSocket.Frame frame : sent) {
                RawWebSocket.Frame echo = socket.read();
                assertEquals(frame.fin() + "/" + frame.opcode() + "/" + new String(frame.payload(), StandardCharsets.UTF_8),
                        echo.fin() + "/" + echo.opcode() + "/" + new String(echo.payload(), StandardCharsets.UTF_8));
            }
            socket.send(true, 9, "ping".getBytes(StandardCharsets.UTF_8));
            RawWebSocket.Frame pong = socket.read();
            assertEquals(10, pong.opcode());
            assertEquals("ping", new String(pong.payload(), StandardCharsets.UTF_8));
        }
    }

    /**
     * An app's answer passes with headers of any size up to stacyvm.preview.max-response-header-size
     * (64 KiB: across Vert.x's and browsers' common 8 KiB); past it the router says so with a 502,
     * never that nothing answers.
     */
    @Test
    void anAppsAnswerHeadersPassUpToTheDocumentedLimitAndPastItAreABadGateway() throws Exception {
        String id = sandboxWithApp(true);
        for (int size : List.of(8191, 8193, 20_000, 60_000)) {
            Response answer = preview(3000, id).get("/big-header?size=" + size);
            assertEquals(200, answer.statusCode(), size + "-byte header");
            assertEquals(size, answer.header("X-Big").length(), size + "-byte header arrives whole");
            assertEquals("big", answer.asString());
        }
        preview(3000, id).get("/big-header?size=70000").then().statusCode(502).body("code", equalTo("bad_gateway"))
                .body("message", containsString("max-response-header-size"));
    }

    /**
     * Request lines and header blocks reach the app whole up to the router's documented limits
     * (64 KiB each, stacyvm.preview.max-request-line and max-request-header-size); one byte past
     * is refused as 414 or 431 with a typed body, in the request's own HTTP version. Far past
     * them (the HTTP server's ceiling, four times as much) the server's own refusal has the same
     * status.
     */
    @Test
    void requestLinesAndHeadersPassUpToTheDocumentedLimitsAndPastThemAreRefusedInTheRequestsVersion() throws Exception {
        String id = sandboxWithApp(true);
        String host = host(3000, id);
        int limit = 65536;
        for (String version : List.of("HTTP/1.1", "HTTP/1.0")) {
            // the line: "GET " + target + " " + version; the app itself takes lines of up to 65534 bytes
            for (int line : List.of(100, limit - 2, limit + 1, limit + 1000)) {
                String target = "/sizes?pad=" + "p".repeat(line - 4 - 1 - version.length() - "/sizes?pad=".length());
                String answer = rawRequest("GET " + target + " " + version + "\r\nHost: " + host
                        + "\r\nConnection: close\r\n\r\n");
                if (line <= limit - 2) {
                    assertTrue(answer.startsWith(version + " 200"), line + "-byte line: " + head(answer));
                    assertTrue(answer.contains("\"target\": " + target.length()), line + "-byte line arrives whole");
                } else {
                    assertTrue(answer.startsWith(version + " 414"), line + "-byte line: " + head(answer));
                    assertTrue(answer.contains("\"code\":\"uri_too_long\"") && answer.contains("max-request-line"),
                            line + "-byte line: " + head(answer));
                }
            }
            // the header block: every "name: value" line and its CRLF, as the router counts them
            for (int block : List.of(limit - 1000, limit, limit + 1, limit + 5000)) {
                StringBuilder headers = new StringBuilder("Host: " + host + "\r\nConnection: close\r\n");
                int size = ("Host: " + host + "\r\n").length() + "Connection: close\r\n".length();
                for (int n = 0; size < block; n++) {
                    String name = "X-Pad-" + n;
                    int value = Math.min(30_000, block - size - name.length() - 4);
                    headers.append(name).append(": ").append("v".repeat(Math.max(1, value))).append("\r\n");
                    size += name.length() + 4 + Math.max(1, value);
                }
                assertEquals(block, size, "the test builds the block it means to");
                String answer = rawRequest("GET /sizes " + version + "\r\n" + headers + "\r\n");
                if (block <= limit) {
                    assertTrue(answer.startsWith(version + " 200"), block + "-byte headers: " + head(answer));
                } else {
                    assertTrue(answer.startsWith(version + " 431"), block + "-byte headers: " + head(answer));
                    assertTrue(answer.contains("\"code\":\"request_header_fields_too_large\""),
                            block + "-byte headers: " + head(answer));
                }
            }
        }
        // past the HTTP server's own ceilings: still refused with the right status
        String farTarget = "/sizes?pad=" + "p".repeat(4 * limit + 10);
        assertTrue(rawRequest("GET " + farTarget + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").matches("(?s)HTTP/1\\.[01] 414.*"));
        String farHeader = "X-Pad: " + "v".repeat(4 * limit + 10);
        assertTrue(rawRequest("GET /sizes HTTP/1.1\r\nHost: " + host + "\r\n" + farHeader + "\r\n\r\n")
                .matches("(?s)HTTP/1\\.[01] (431|400|413).*"));
    }

    /**
     * The test instance's stacyvm.preview.max-request-body-size (the launcher's test runs set 8M,
     * so that the boundary is cheap to cross; the default is 1G).
     */
    private static final long BODY_LIMIT = Long.getLong("stacyvm.preview-max-request-body-bytes", 8L * 1024 * 1024);

    /**
     * Request bodies reach the app whole up to the router's documented limit, declared up front
     * or chunked; one byte past is {@code 413 payload_too_large} with a typed body, in the
     * request's own HTTP version: a declared length before anything reaches the app, a chunked
     * body once the bytes relayed pass the limit.
     */
    @Test
    void requestBodiesPassUpToTheDocumentedLimitAndPastItAreRefusedWith413InTheRequestsVersion() throws Exception {
        String id = sandboxWithApp(true);
        String host = host(3000, id);
        for (String version : List.of("HTTP/1.1", "HTTP/1.0")) {
            for (long size : List.of(0L, 1L, BODY_LIMIT - 1, BODY_LIMIT, BODY_LIMIT + 1, 4 * BODY_LIMIT)) {
                String head = "POST /upload " + version + "\r\nHost: " + host + "\r\nContent-Length: " + size
                        + "\r\nConnection: close\r\n\r\n";
                String answer = rawUpload(head, size, false);
                assertBodyAnswer(version + " with Content-Length " + size, version, size, answer);
            }
        }
        // chunked (HTTP/1.1 only): counted as it is relayed
        for (long size : List.of(1L, BODY_LIMIT, BODY_LIMIT + 1, 2 * BODY_LIMIT)) {
            String head = "POST /upload HTTP/1.1\r\nHost: " + host + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
            String answer = rawUpload(head, size, true);
            assertBodyAnswer("chunked " + size, "HTTP/1.1", size, answer);
        }
        // the router goes on serving once a refused body is behind it
        preview(3000, id).body(new byte[1024]).post("/upload").then().statusCode(200).body("size", equalTo(1024));
    }

    private static void assertBodyAnswer(String what, String version, long size, String answer) {
        if (size <= BODY_LIMIT) {
            assertTrue(answer.startsWith(version + " 200"), what + ": " + head(answer));
            assertTrue(answer.contains("\"size\": " + size + ",") || answer.contains("\"size\":" + size + ","),
                    what + ": the app got the whole body: " + head(answer));
        } else {
            assertTrue(answer.startsWith(version + " 413"), what + ": " + head(answer));
            assertTrue(answer.contains("\"code\":\"payload_too_large\""), what + ": " + head(answer));
            assertTrue(answer.contains("max-request-body-size"), what + ": the answer names the setting: " + head(answer));
        }
    }

    /**
     * Sends a request head and a body of {@code size} zero bytes (in 64 KiB chunks when chunked),
     * and reads the answer; a write the router refused midway (it closed the connection after its
     * 413) ends the sending, not the test.
     */
    private static String rawUpload(String head, long size, boolean chunked) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", ROUTER_PORT)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                byte[] block = new byte[64 * 1024];
                for (long left = size; left > 0; ) {
                    int n = (int) Math.min(block.length, left);
                    if (chunked) {
                        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write(block, 0, n);
                    if (chunked) {
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    left -= n;
                }
                if (chunked) {
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
            } catch (IOException refusedMidway) {
                // the router answered and closed; its answer is still to be read
            }
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The status line and a little more of a raw answer, for a failure message. */
    private static String head(String answer) {
        return answer.length() <= 300 ? answer : answer.substring(0, 300) + "...";
    }

    @Test
    void aDestroyedSandboxStopsAnswering() throws Exception {
        String id = sandboxWithApp(true);
        preview(3000, id).get("/").then().statusCode(200);
        api().delete("/sandboxes/{id}", id).then().statusCode(200);
        long destroyed = System.nanoTime();
        int status = 0;
        for (int attempt = 0; attempt < 100 && status != 404; attempt++) {
            status = preview(3000, id).get("/").statusCode();
            if (status != 404) {
                Thread.sleep(50);
            }
        }
        assertEquals(404, status, "a destroyed sandbox's preview is gone");
        System.out.printf("preview gone %d ms after the destroy answered%n", (System.nanoTime() - destroyed) / 1_000_000);
        preview(3000, id).header("Accept", "text/html").get("/").then().statusCode(404)
                .body(containsString("No such sandbox"));
    }

    @Test
    void theRouterProxiesToNothingButADeclaredPortOfARegisteredSandbox() throws Exception {
        String id = sandboxWithApp(true);
        int published = Integer.parseInt(Suite.container(id).getPorts()[0].getPublicPort().toString());
        // a port the sandbox did not declare
        preview(4000, id).get("/").then().statusCode(404).body("message", containsString("not a preview port"));
        // hosts that are not preview hosts of this domain are the router's own, never proxied
        for (String host : List.of("evil.example.com", "127.0.0.1:" + published, "localhost:" + published,
                "3000-" + id + ".localhost.evil.example.com", "3000-" + id + ".example.com",
                "99999-" + id + ".localhost", "3000-sb-UPPER123.localhost", "x.3000-" + id + ".localhost")) {
            Response answer = RestAssured.given().baseUri(ROUTER).header("Host", host).get("/");
            assertFalse(answer.asString().contains("Hello from the sandbox"), host + " reached the app");
            assertTrue(answer.statusCode() == 404, host + " answered " + answer.statusCode());
        }
        // an absolute URI naming another target in the request line is not followed either
        String raw = rawRequest("GET http://127.0.0.1:" + published + "/ HTTP/1.1\r\nHost: 127.0.0.1:" + published
                + "\r\nConnection: close\r\n\r\n");
        assertFalse(raw.contains("Hello from the sandbox"), raw);
        // an unknown sandbox, as a browser and as an API client
        preview(3000, "sb-0000000000").header("Accept", "text/html").get("/").then().statusCode(404)
                .contentType(containsString("text/html")).body(containsString("No such sandbox"));
        preview(3000, "sb-0000000000").get("/").then().statusCode(404).body("code", equalTo("not_found"));
        // the router's own routes still answer on its own address
        RestAssured.given().baseUri(ROUTER).get("/q/health/ready").then().statusCode(200);
    }

    /**
     * A port the sandbox did not declare is a 404 "not a preview port" whether the preview is
     * private or public and whatever token comes with it, never a 401 pointing at a token route
     * that itself answers 404; a private preview's 404 does not list its ports.
     */
    @Test
    void anUndeclaredPortIsNotFoundBeforeAnyTokenIsAskedFor() throws Exception {
        String privateId = sandboxes.create(Map.of("ports", List.of(3000), "ttl", "5m"));
        String token = token(privateId, 3000);
        // the declared port asks for its token (once the router knows the sandbox)
        awaitStatus(() -> preview(3000, privateId).get("/"), 401, 20).then().statusCode(401)
                .body("code", equalTo("unauthorized"));
        for (Map.Entry<String, String> asked : Map.of("no token", "", "a token of another port", token).entrySet()) {
            RequestSpecification request = preview(4000, privateId);
            if (!asked.getValue().isEmpty()) {
                request = request.header("X-Preview-Token", asked.getValue());
            }
            request.get("/").then().statusCode(404).body("code", equalTo("not_found"))
                    .body("message", containsString("not a preview port"))
                    .body("message", not(containsString("3000")));
        }
        preview(4000, privateId).header("Accept", "text/html").get("/").then().statusCode(404)
                .body(containsString("not a preview port"));
        String publicId = sandboxes.create(Map.of("ports", List.of(3000), "public_preview", true, "ttl", "5m"));
        // once the router knows it (its declared port answers 503: nothing listens there)
        awaitStatus(() -> preview(3000, publicId).get("/"), 503, 20).then().statusCode(503);
        preview(4000, publicId).get("/").then().statusCode(404)
                .body("message", containsString("not a preview port")).body("message", containsString("[3000]"));
    }

    @Test
    void previewTokensAreOnlyForTheOwnersDeclaredPorts() throws Exception {
        String id = sandboxes.create(Map.of("ports", List.of(3000), "ttl", "5m"));
        api().get("/sandboxes/{id}/preview/{port}", id, 4000).then().statusCode(404)
                .body("message", containsString("not a preview port"));
        api().get("/sandboxes/{id}/preview/{port}", id, 3000).then().statusCode(200)
                .body("public_preview", equalTo(false)).body("expires_at", not(equalTo(null)));
        // another owner gets no token: for them the sandbox does not exist
        Response key = api().body(Map.of("name", "preview-stranger", "tenant", "preview-other", "role", "user"))
                .post("/admin/api-keys");
        try {
            RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").header("X-API-Key", (String) key.path("key"))
                    .get("/sandboxes/{id}/preview/{port}", id, 3000).then().statusCode(404);
        } finally {
            api().delete("/admin/api-keys/{id}", (String) key.path("id"));
        }
    }

    private static String rawRequest(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", ROUTER_PORT)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A WebSocket handshake through the router with the preview Host, one text message, its echo. */
    private static String webSocketEcho(String host, String message) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", ROUTER_PORT)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            String key = Base64.getEncoder().encodeToString(new byte[16]);
            out.write(("GET /ws HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int next = in.read();
                if (next < 0) {
                    break;
                }
                head.write(next);
            }
            assertTrue(head.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101"), head.toString());
            byte[] payload = message.getBytes(StandardCharsets.UTF_8);
            byte[] mask = {1, 2, 3, 4};
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(0x81);
            frame.write(0x80 | payload.length);
            frame.write(mask);
            for (int i = 0; i < payload.length; i++) {
                frame.write(payload[i] ^ mask[i % 4]);
            }
            out.write(frame.toByteArray());
            int opcode = in.read() & 0x0F;
            int length = in.read() & 0x7F;
            assertEquals(1, opcode, "a text frame comes back");
            return new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }
    }
}
