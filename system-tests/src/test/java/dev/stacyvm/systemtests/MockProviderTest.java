package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The mock provider (docs/providers.md) through the public API, as a client test or a demo uses it:
 * named in a create, it keeps the sandbox in the worker's memory, where nothing runs and no
 * container is made; a create that names no provider never gets it.
 */
class MockProviderTest {

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    @AfterEach
    void destroy() {
        sandboxes.close();
    }

    private static JsonPath exec(String id, String command) {
        return Suite.exec(id, Map.of("command", command)).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void providersListMockBesideDockerWithWhatItCanDoAndNeverAsTheDefault() {
        List<Map<String, Object>> providers = api().get("/providers").then().statusCode(200).extract().jsonPath().getList("$");
        Map<String, Object> docker = providers.stream().filter(p -> "docker".equals(p.get("name"))).findFirst().orElseThrow();
        Map<String, Object> mock = providers.stream().filter(p -> "mock".equals(p.get("name"))).findFirst().orElseThrow();
        assertEquals(true, docker.get("default"));
        assertEquals(false, mock.get("default"), "mock is never the default");
        assertEquals(true, mock.get("healthy"));
        assertEquals(List.of("exec", "exec-timeout", "files", "terminal", "logs"), mock.get("capabilities"));
        assertTrue(((List<?>) docker.get("capabilities")).containsAll(List.of("processes", "network", "archives")),
                "docker runs real processes: " + docker);
        List<Map<String, Object>> workers = api().get("/workers").then().statusCode(200).extract().jsonPath().getList("$");
        assertEquals(List.of("docker", "mock"), workers.stream().filter(w -> Suite.WORKER_ID.equals(w.get("id")))
                .findFirst().orElseThrow().get("providers"), "the worker offers both");
    }

    @Test
    void aMockSandboxAnswersExecsAndFilesWithoutAContainer() {
        String id = sandboxes.create(Map.of("provider", "mock", "ttl", "5m", "env", Map.of("GREETING", "hello")));
        api().get("/sandboxes/{id}", id).then().statusCode(200).body("provider", equalTo("mock"))
                .body("state", equalTo("running"));
        assertTrue(Suite.containersOf(id).isEmpty(), "no container was made for it");
        JsonPath ran = exec(id, "echo \"$GREETING\" > greeting.txt && cat /workspace/greeting.txt; echo oops >&2; exit 3");
        assertEquals(3, ran.getInt("exit_code"));
        assertEquals("hello\n", ran.getString("stdout"));
        assertEquals("oops\n", ran.getString("stderr"));
        api().queryParam("path", "/workspace/greeting.txt").get("/sandboxes/{id}/files", id).then().statusCode(200)
                .body(equalTo("hello\n"));
        api().body(Map.of("path", "/workspace/app/main.py", "content", "print(1)\n")).post("/sandboxes/{id}/files", id)
                .then().statusCode(200).body("status", equalTo("written"));
        api().queryParam("path", "/workspace/app").get("/sandboxes/{id}/files/list", id).then().statusCode(200)
                .body("[0].name", equalTo("main.py")).body("[0].size", equalTo(9));
        JsonPath python = exec(id, "python3 /workspace/app/main.py");
        assertEquals(127, python.getInt("exit_code"), "a mock runs no programs, and says so");
        assertTrue(python.getString("stderr").contains("command not found"), python.getString("stderr"));
        api().queryParam("path", "/workspace/nope").get("/sandboxes/{id}/files", id).then().statusCode(404)
                .body("code", equalTo("not_found"));
        api().delete("/sandboxes/{id}", id).then().statusCode(200);
        Suite.exec(id, Map.of("command", "true")).then().statusCode(404);
        List<String> held = io.restassured.RestAssured.given().baseUri(Suite.WORKER_URL)
                .header("X-Service-Token", Suite.SERVICE_TOKEN).get("/internal/sandboxes").then().statusCode(200)
                .extract().jsonPath().getList("sandbox_id");
        assertFalse(held.contains(id), "the worker let go of it: " + held);
    }

    @Test
    void mockIsRefusedWhatItCannotDo() {
        api().body(Map.of("provider", "mock", "network", "bridge")).post("/sandboxes").then().statusCode(400)
                .body("message", containsString("no network"));
        api().body(Map.of("provider", "mock", "ports", List.of(3000))).post("/sandboxes").then().statusCode(400)
                .body("message", containsString("no network"));
    }

    @Test
    void aMockSandboxsTerminalIsAPromptOverTheExecSocket() throws InterruptedException {
        String id = sandboxes.create(Map.of("provider", "mock", "ttl", "5m"));
        try (ExecSocket socket = ExecSocket.open(id, Suite.API_KEY, null)) {
            socket.send(Map.of("command", "bash", "mode", "argv", "pty", true, "cols", 80, "rows", 24));
            socket.awaitOutput(out -> out.contains("$ "), 30);
            socket.send(Map.of("type", "stdin", "data", "echo typed > t.txt; cat t.txt\r"));
            socket.awaitOutput(out -> out.contains("typed\r\n$ "), 20);
            socket.send(Map.of("type", "stdin", "data", "exit 5\r"));
            JsonNode done = socket.awaitEnd(20);
            assertEquals("done", done.get("type").asText(), socket.received().toString());
            assertEquals(5, done.get("exit_code").asInt());
        }
    }

    @Test
    void aCreateThatNamesNoProviderNeverGetsMock() {
        String id = sandboxes.create(Map.of("ttl", "5m"));
        api().get("/sandboxes/{id}", id).then().statusCode(200).body("provider", equalTo("docker"));
        assertFalse(Suite.containersOf(id).isEmpty(), "a real container runs it");
    }

    @Test
    void mockTakesNoRuntimeAndNoWarmPool() {
        api().body(Map.of("provider", "mock", "runtime", "runsc", "network", "none")).post("/sandboxes").then()
                .statusCode(400).body("code", equalTo("bad_request")).body("message", containsString("no runtime"));
        api().body(Map.of("name", "mock-pool-" + System.nanoTime(), "provider", "mock", "pool_size", 1)).post("/templates")
                .then().statusCode(400).body("message", containsString("provider other than docker"));
    }
}
