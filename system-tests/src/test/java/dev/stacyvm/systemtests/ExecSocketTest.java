package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /sandboxes/{id}/exec/ws}: StacyVM's exec framing, a real terminal (size, resize,
 * job-control signals, stdin), binary-safe frames, the session's end with the client or the
 * sandbox, and who may open one (headers, a browser's single-use token), audited.
 */
class ExecSocketTest {

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();
    private final Suite.Keys keys = new Suite.Keys();

    @AfterEach
    void cleanUp() {
        sandboxes.close();
        keys.close();
    }

    @Test
    void stacyVmsFramingAsItsWebUiSendsItStreamsOutputThenDoneWithTheExitCode() throws Exception {
        String id = sandboxes.create(Map.of());
        // as StacyVM's docs write the first message (type "start") and as its server reads it (no type)
        for (Map<String, Object> request : List.<Map<String, Object>>of(
                Map.of("type", "start", "command", "echo out; echo err >&2; exit 3"),
                Map.of("command", "echo out; echo err >&2; exit 3", "env", Map.of("A", "1")))) {
            try (ExecSocket socket = ExecSocket.open(id, Suite.API_KEY, null)) {
                socket.send(request);
                JsonNode done = socket.awaitEnd(30);
                assertEquals("done", done.get("type").asText(), socket.received().toString());
                assertEquals(3, done.get("exit_code").asInt());
                assertFalse(done.get("timed_out").asBoolean());
                List<JsonNode> chunks = socket.received().stream().filter(message -> message.has("stream")).toList();
                assertTrue(chunks.stream().anyMatch(c -> "stdout".equals(c.get("stream").asText()) && "out\n".equals(c.get("data").asText())),
                        "a stdout chunk {\"stream\",\"data\"}: " + chunks);
                assertTrue(chunks.stream().anyMatch(c -> "stderr".equals(c.get("stream").asText()) && "err\n".equals(c.get("data").asText())),
                        "a stderr chunk: " + chunks);
                assertEquals(1000, socket.awaitClose(10), "a normal close after done");
            }
        }
    }

    @Test
    void aTerminalRunsAShellThatSeesItsSizeAndItsResizeAndIsInterruptedBySigint() throws Exception {
        String id = sandboxes.create(Map.of());
        try (ExecSocket socket = ExecSocket.open(id, Suite.API_KEY, null)) {
            socket.send(Map.of("command", "bash", "mode", "argv", "pty", true, "cols", 80, "rows", 24));
            socket.awaitOutput(out -> out.contains("$ "), 30);
            socket.send(Map.of("type", "stdin", "data", "stty size\n"));
            socket.awaitOutput(out -> out.contains("24 80\r\n"), 20);
            socket.send(Map.of("type", "resize", "cols", 132, "rows", 43));
            socket.send(Map.of("type", "stdin", "data", "stty size; tput cols\n"));
            socket.awaitOutput(out -> out.contains("43 132\r\n132\r\n"), 20);
            // a long foreground job, interrupted as ^C would: the shell lives on and reports 130
            socket.send(Map.of("type", "stdin", "data", "sleep 303; echo fin\"\"ished\n"));
            awaitProcesses(id, commands -> commands.contains("sleep 303"));
            socket.send(Map.of("type", "signal", "signal", "SIGINT"));
            socket.send(Map.of("type", "stdin", "data", "echo status=$?\n"));
            String output = socket.awaitOutput(out -> out.contains("status=130"), 20);
            assertFalse(output.contains("finished"), output);
            // ^C typed as a byte reaches the foreground program the same way
            socket.send(Map.of("type", "stdin", "data", "sleep 304\n"));
            awaitProcesses(id, commands -> commands.contains("sleep 304"));
            socket.send(Map.of("type", "stdin", "data", "\u0003"));
            socket.send(Map.of("type", "stdin", "data", "echo typed=$?\n"));
            socket.awaitOutput(out -> out.contains("typed=130"), 20);
            socket.send(Map.of("type", "stdin", "data", "exit 7\n"));
            JsonNode done = socket.awaitEnd(20);
            assertEquals(7, done.get("exit_code").asInt(), socket.received().toString());
            assertTrue(socket.received().stream().filter(m -> m.has("stream"))
                    .allMatch(m -> "stdout".equals(m.get("stream").asText())), "a terminal has one stream");
        }
        // the audit record travels through the outbox and Kafka: it shows within seconds
        List<Map<String, Object>> records = List.of();
        for (int attempt = 0; attempt < 100; attempt++) {
            records = api().queryParam("target", id).queryParam("action", "sandbox.exec")
                    .get("/admin/audit").then().statusCode(200).extract().jsonPath().getList("$");
            if (records.stream().anyMatch(r -> String.valueOf(r.get("detail")).startsWith("terminal session: exit_code=7 command: bash"))) {
                break;
            }
            Thread.sleep(200);
        }
        assertTrue(records.stream().anyMatch(r -> String.valueOf(r.get("detail")).startsWith("terminal session: exit_code=7 command: bash")),
                "the session is audited: " + records);
    }

    @Test
    void aTerminalCommandSeesItsSizeAtOnceAndEofIsTypedAsCtrlD() throws Exception {
        String id = sandboxes.create(Map.of());
        try (ExecSocket socket = ExecSocket.open(id, Suite.API_KEY, null)) {
            socket.send(Map.of("command", "stty size", "pty", true, "cols", 90, "rows", 33));
            assertEquals(0, socket.awaitEnd(30).get("exit_code").asInt());
            assertTrue(socket.output().contains("33 90"), "sized before it ran: " + socket.output());
        }
        try (ExecSocket socket = ExecSocket.open(id, Suite.API_KEY, null)) {
            socket.send(Map.of("command", "cat > /tmp/typed; wc -c < /tmp/typed", "pty", true));
            socket.send(Map.of("type", "stdin", "data", "hello\n")).send(Map.of("type", "eof"));
            JsonNode done = socket.awaitEnd(30);
            assertEquals(0, done.get("exit_code").asInt(), socket.received().toString());
            assertTrue(socket.output().contains("6\r\n"), "cat got its line, then the end of input: " + socket.output());
        }
    }

    @Test
    void base64FramesCarryEveryByteBothWays() throws Exception {
        String id = sandboxes.create(Map.of());
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        try (ExecSocket socket = ExecSocket.open(id, Suite.API_KEY, null)) {
            socket.send(Map.of("command", "cat", "encoding", "base64"));
            socket.send(Map.of("type", "stdin", "data", Base64.getEncoder().encodeToString(all)));
            socket.send(Map.of("type", "eof"));
            JsonNode done = socket.awaitEnd(30);
            assertEquals(0, done.get("exit_code").asInt(), socket.received().toString());
            ByteArrayOutputStream echoed = new ByteArrayOutputStream();
            for (JsonNode message : socket.received()) {
                if (message.has("stream")) {
                    echoed.write(Base64.getDecoder().decode(message.get("data").asText()));
                }
            }
            assertArrayEquals(all, echoed.toByteArray(), "cat gives back every byte it was sent");
        }
    }

    @Test
    void closingTheSocketKillsTheCommandAndEverythingItStarted() throws Exception {
        String id = sandboxes.create(Map.of());
        try (ExecSocket socket = ExecSocket.open(id, Suite.API_KEY, null)) {
            socket.send(Map.of("command", "sleep 301 & sleep 302; echo never", "pty", true));
            awaitProcesses(id, commands -> commands.contains("sleep 301") && commands.contains("sleep 302"));
        }
        awaitProcesses(id, commands -> !commands.contains("sleep 301") && !commands.contains("sleep 302"));
    }

    @Test
    void theSocketEndsWhenItsSandboxIsDestroyed() throws Exception {
        String id = sandboxes.create(Map.of());
        try (ExecSocket socket = ExecSocket.open(id, Suite.API_KEY, null)) {
            socket.send(Map.of("command", "bash", "mode", "argv", "pty", true));
            socket.awaitOutput(out -> out.contains("$ "), 30);
            api().delete("/sandboxes/{id}", id).then().statusCode(200);
            JsonNode last = socket.awaitEnd(60);
            assertTrue(last.has("type"), last.toString());
            socket.awaitClose(10);
        }
    }

    @Test
    void aKeyMayOpenSessionAfterSessionOnceEachHasEnded() throws Exception {
        String user = keys.issue("default", "user");
        String owned = Suite.as(user).body(Map.of()).post("/sandboxes").then().statusCode(201).extract().path("id");
        sandboxes.adopt(owned);
        // more sessions one after another than a key may hold open at once (16)
        for (int session = 0; session < 20; session++) {
            try (ExecSocket socket = ExecSocket.open(owned, user, null)) {
                socket.send(Map.of("command", "true"));
                assertEquals(0, socket.awaitEnd(30).get("exit_code").asInt(), "session " + session);
                socket.awaitClose(10);
            }
        }
    }

    @Test
    void badRequestsGetATypedErrorFrameAndClose1007() throws Exception {
        String id = sandboxes.create(Map.of());
        for (String first : List.of("not json", "{\"command\":\"\"}", "{\"command\":\"sh\",\"pty\":true,\"cols\":0}",
                "{\"command\":\"sh\",\"encoding\":\"hex\"}", "{\"command\":\"sh\",\"timeout\":\"soon\"}")) {
            try (ExecSocket socket = ExecSocket.open(id, Suite.API_KEY, null)) {
                socket.sendRaw(first);
                JsonNode error = socket.awaitEnd(30);
                assertEquals("error", error.get("type").asText(), first + ": " + error);
                assertEquals("bad_request", error.get("code").asText(), first + ": " + error);
                assertEquals(1007, socket.awaitClose(10), first);
            }
        }
        try (ExecSocket socket = ExecSocket.open(id, Suite.API_KEY, null)) {
            socket.send(Map.of("command", "sleep 30")).sendRaw("{\"type\":\"teleport\"}");
            JsonNode error = socket.awaitEnd(30);
            assertEquals("bad_request", error.get("code").asText(), error.toString());
        }
    }

    @Test
    void onlyACallerWhoMayRunCommandsInTheSandboxOpensItsSocket() {
        String id = sandboxes.create(Map.of());
        assertEquals(401, ExecSocket.refused(id, null, null).status(), "no credential");
        assertEquals(401, ExecSocket.refused(id, "svm_not_a_key", null).status(), "an unknown key");
        String viewer = keys.issue("default", "viewer");
        ExecSocket.Refusal refusal = ExecSocket.refused(id, viewer, null);
        assertEquals(403, refusal.status(), "a viewer may not run commands");
        String stranger = keys.issue("socket-strangers", "user");
        assertEquals(404, ExecSocket.refused(id, stranger, null).status(), "another owner's sandbox is not there for it");
        assertEquals(404, ExecSocket.refused("sb-000000000000", Suite.API_KEY, null).status());
    }

    @Test
    void aBrowserTokenOpensOneSessionOnceForItsSandboxOnly() throws Exception {
        String id = sandboxes.create(Map.of());
        String other = sandboxes.create(Map.of());
        Map<String, Object> grant = api().post("/sandboxes/{id}/exec/ws/token", id).then().statusCode(200)
                .extract().jsonPath().getMap("$");
        String token = (String) grant.get("token");
        assertEquals("/api/v1/sandboxes/" + id + "/exec/ws?token=" + token, grant.get("path"));
        assertEquals(401, ExecSocket.refused(other, null, "token=" + token).status(), "not for another sandbox");
        Map<String, Object> second = api().post("/sandboxes/{id}/exec/ws/token", id).then().statusCode(200)
                .extract().jsonPath().getMap("$");
        try (ExecSocket socket = ExecSocket.open(id, null, "token=" + second.get("token"))) {
            socket.send(Map.of("command", "id -un"));
            assertEquals(0, socket.awaitEnd(30).get("exit_code").asInt());
        }
        assertEquals(401, ExecSocket.refused(id, null, "token=" + second.get("token")).status(), "a token opens once");
        String viewer = keys.issue("default", "viewer");
        Suite.as(viewer).post("/sandboxes/{id}/exec/ws/token", id).then().statusCode(403);
        // a token whose key is revoked before it is used opens nothing
        String user = keys.issue("default", "user");
        String owned = Suite.as(user).body(Map.of()).post("/sandboxes").then().statusCode(201).extract().path("id");
        sandboxes.adopt(owned);
        String userToken = Suite.as(user).post("/sandboxes/{id}/exec/ws/token", owned).then().statusCode(200)
                .extract().path("token");
        keys.close();
        assertEquals(401, ExecSocket.refused(owned, null, "token=" + userToken).status(), "the key was revoked");
    }

    /** Waits (at most 20 s) until the sandbox's process list, as command lines, satisfies {@code ok}. */
    private static void awaitProcesses(String id, java.util.function.Predicate<List<String>> ok) throws InterruptedException {
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
