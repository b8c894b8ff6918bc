package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A credential's sessions end with it: a request is authorised when it arrives, but an exec socket
 * or a streamed exec lives on after that, and a revoked key must not keep running commands through
 * the ones it opened. Revoked through the API, its sessions end at once and their commands stop;
 * revoked where this gateway did not see it (another gateway, straight in the database), within
 * the gateway's check interval (5 s).
 */
class RevokedCredentialTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Generous against a loaded machine; a session that outlives its key never ends by itself before it. */
    private static final int PATIENCE_SECONDS = 20;

    private String keyId;
    private String sandboxId;

    @AfterEach
    void cleanUp() {
        if (sandboxId != null) {
            api().delete("/sandboxes/{id}", sandboxId);
        }
        if (keyId != null) {
            api().delete("/admin/api-keys/{id}", keyId);
        }
    }

    /** Issues a user key and creates a sandbox with it; answers the key's secret. */
    private String userWithSandbox() {
        io.restassured.response.Response issued = api()
                .body(Map.of("name", "revoked-" + System.nanoTime(), "tenant", "default", "role", "user")).post("/admin/api-keys");
        issued.then().statusCode(201);
        keyId = issued.path("id");
        String key = issued.path("key");
        sandboxId = Suite.as(key).body(Map.of("ttl", "10m")).post("/sandboxes").then().statusCode(201).extract().path("id");
        return key;
    }

    /** Whether a process whose command line holds {@code marker} still runs in the sandbox (asked as the admin). */
    private boolean running(String marker) {
        // the last character in brackets: the pattern matches the marker, never this command's own line
        String pattern = marker.substring(0, marker.length() - 1) + "[" + marker.charAt(marker.length() - 1) + "]";
        String found = api().body(Map.of("command", "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f; echo; done"
                        + " | grep -c '" + pattern + "' || true")).post("/sandboxes/{id}/exec", sandboxId)
                .then().statusCode(200).extract().path("stdout");
        return Integer.parseInt(found.trim()) > 0;
    }

    /** Starts {@code command} on the open terminal and waits until it runs. */
    private void runs(ExecSocket socket, String command) throws InterruptedException {
        socket.send(Map.of("command", "echo started; " + command));
        socket.awaitOutput(output -> output.contains("started"), 30);
        assertTrue(running(command), command + " runs in the sandbox");
    }

    private void awaitStopped(String marker) throws InterruptedException {
        for (int attempt = 0; attempt < PATIENCE_SECONDS * 4 && running(marker); attempt++) {
            Thread.sleep(250);
        }
        assertFalse(running(marker), "the command the revoked key started stopped with its session");
    }

    @Test
    void revokingAKeyClosesItsOpenExecSocketsAndStopsTheirCommands() throws Exception {
        String key = userWithSandbox();
        try (ExecSocket socket = ExecSocket.open(sandboxId, key, null)) {
            runs(socket, "sleep 3131");

            api().delete("/admin/api-keys/{id}", keyId).then().statusCode(200);

            int status = socket.awaitClose(PATIENCE_SECONDS);
            assertEquals(1008, status, "closed for policy: " + socket.received());
            assertTrue(socket.received().stream().anyMatch(frame -> "unauthorized".equals(frame.path("code").asText())),
                    "the last frame says why: " + socket.received());
        }
        awaitStopped("sleep 3131");
    }

    @Test
    void aTerminalOpenedWithATokenEndsWhenTheKeyThatMadeTheTokenIsRevoked() throws Exception {
        String key = userWithSandbox();
        String token = Suite.as(key).post("/sandboxes/{id}/exec/ws/token", sandboxId).then().statusCode(200)
                .extract().path("token");
        try (ExecSocket socket = ExecSocket.open(sandboxId, null, "token=" + token)) {
            runs(socket, "sleep 3132");

            api().delete("/admin/api-keys/{id}", keyId).then().statusCode(200);

            assertEquals(1008, socket.awaitClose(PATIENCE_SECONDS), socket.received().toString());
        }
        awaitStopped("sleep 3132");
    }

    /**
     * A client that reads nothing fills the gateway's buffers, so the terminal's close cannot be
     * written to it: the command still stops when the key is revoked (the worker side closes first).
     */
    @Test
    void aRevokedKeysTerminalStopsItsCommandEvenWhenItsClientReadsNothing() throws Exception {
        String key = userWithSandbox();
        String token = Suite.as(key).post("/sandboxes/{id}/exec/ws/token", sandboxId).then().statusCode(200)
                .extract().path("token");
        int port = URI.create(Suite.URL).getPort();
        try (RawWebSocket silent = new RawWebSocket(port, "127.0.0.1:" + port,
                "/api/v1/sandboxes/" + sandboxId + "/exec/ws?token=" + token, null)) {
            assertEquals(101, silent.status);
            // output far beyond every buffer on the way, which this client never reads
            silent.send(true, 1, JSON.writeValueAsBytes(Map.of("command", "sleep 3135 & yes")));
            for (int attempt = 0; attempt < 120 && !running("sleep 3135"); attempt++) {
                Thread.sleep(250);
            }
            assertTrue(running("sleep 3135"));
            Thread.sleep(1_000); // the buffers fill

            api().delete("/admin/api-keys/{id}", keyId).then().statusCode(200);

            awaitStopped("sleep 3135");
        }
    }

    @Test
    void revokingAKeyCutsItsStreamedExecAndStopsTheCommand() throws Exception {
        String key = userWithSandbox();
        HttpResponse<InputStream> stream = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(Suite.URL + "/api/v1/sandboxes/" + sandboxId + "/exec"))
                .header("X-API-Key", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                        Map.of("command", "echo started; sleep 3133", "stream", true, "timeout", "10m"))))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        try (InputStream body = stream.body()) {
            CompletableFuture<String> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                } catch (IOException cut) {
                    return "cut: " + cut;
                }
            });
            // the first line has arrived once the command runs
            for (int attempt = 0; attempt < 120 && !running("sleep 3133"); attempt++) {
                Thread.sleep(250);
            }
            assertTrue(running("sleep 3133"));

            api().delete("/admin/api-keys/{id}", keyId).then().statusCode(200);

            String ended = read.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
            assertFalse(ended.contains("\"exit_code\""), "the stream was cut, with no exit status: " + ended);
        }
        awaitStopped("sleep 3133");
    }

    @Test
    void aKeyRevokedWhereThisGatewayDidNotSeeItStillEndsItsSessionsWithinSeconds() throws Exception {
        String key = userWithSandbox();
        try (ExecSocket socket = ExecSocket.open(sandboxId, key, null)) {
            runs(socket, "sleep 3134");

            // as another gateway's revocation reaches this one: only through the database
            try (Connection db = Suite.database("gateway");
                 PreparedStatement revoke = db.prepareStatement("UPDATE api_key SET revoked_at = now() WHERE id = ?")) {
                revoke.setString(1, keyId);
                assertEquals(1, revoke.executeUpdate());
            }
            long revoked = System.nanoTime();

            assertEquals(1008, socket.awaitClose(PATIENCE_SECONDS), socket.received().toString());
            Duration took = Duration.ofNanos(System.nanoTime() - revoked);
            assertTrue(took.toSeconds() < PATIENCE_SECONDS, "ended " + took.toMillis() + " ms after the revocation");
        }
        awaitStopped("sleep 3134");
    }
}
