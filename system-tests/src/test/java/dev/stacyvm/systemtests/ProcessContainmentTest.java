package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static dev.stacyvm.systemtests.Suite.exec;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.response.Response;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #14, processes: an exec that timed out, was cancelled or lost its client leaves nothing it
 * started behind (setsid, a cleared environment, a double fork, a fork bomb); a background process
 * a finished exec started on purpose keeps running and never delays the answer. Every exec runs
 * through the sandbox agent (a subreaper at an absolute path), whatever the user's PATH.
 */
class ProcessContainmentTest {

    /** Every process's command line, read from /proc with the shell alone (no image tool assumed). */
    private static final String LIST_PROCESSES =
            "for p in /proc/[0-9]*; do [ \"$p\" = /proc/$$ ] || { tr '\\0' ' ' < \"$p/cmdline\"; echo; }; done 2>/dev/null";

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    @AfterEach
    void destroyLeftovers() {
        sandboxes.close();
    }

    private static List<String> processes(String id) {
        String listing = exec(id, Map.of("command", LIST_PROCESSES)).then().statusCode(200).extract().path("stdout");
        return Arrays.stream(listing.split("\n")).filter(line -> !line.isBlank()).toList();
    }

    private static boolean running(String id, String commandLine) {
        return processes(id).stream().anyMatch(line -> line.contains(commandLine));
    }

    @Test
    void aTimedOutExecLeavesNoSetsidDescendantWithAClearedEnvironmentBehind() {
        String id = sandboxes.create(Map.of());
        exec(id, Map.of("command", "setsid sh -c 'exec env -i sleep 300' & echo started; sleep 60", "timeout", "2s"))
                .then().statusCode(200).body("timed_out", equalTo(true)).body("exit_code", equalTo(124))
                .body("stdout", equalTo("started\n"));
        assertFalse(running(id, "sleep 300"), "the setsid child with a cleared environment is gone: " + processes(id));
    }

    @Test
    void aTimedOutExecLeavesNoDoubleForkedDescendantBehind() {
        String id = sandboxes.create(Map.of());
        exec(id, Map.of("command", "(sh -c 'sleep 301 &'); sleep 60", "timeout", "2s"))
                .then().statusCode(200).body("timed_out", equalTo(true));
        assertFalse(running(id, "sleep 301"), "the double-forked grandchild is gone: " + processes(id));
    }

    @Test
    void aForkBombUnderATimeoutLeavesTheProcessCountAtItsBaselineAndTheNextExecWorks() {
        org.junit.jupiter.api.Assumptions.assumeTrue(!Suite.GVISOR,
                "under gVisor a fork bomb can end its own sandbox: aForkBombInAGvisorSandboxEndsAtMostThatSandbox");
        String id = sandboxes.create(Map.of());
        int baseline = processes(id).size();
        // bounded by the sandbox's pids limit; the agent ends it at the timeout. The bomb starts
        // in a subshell, forked while pids are free, and the shell then waits in a builtin loop:
        // any fork of its own could fail once the bomb holds every pid, and the shell would end
        // early ("Cannot fork", exit 2) instead of timing out
        exec(id, Map.of("command", "(b(){ b|b& }; b); while :; do :; done", "timeout", "2s"))
                .then().statusCode(200).body("timed_out", equalTo(true));
        assertEquals(baseline, processes(id).size(), "the process count is back at its baseline");
        exec(id, Map.of("command", "echo after")).then().statusCode(200).body("exit_code", equalTo(0))
                .body("stdout", equalTo("after\n"));
    }

    /**
     * gVisor on ptrace costs host pids per process that a storm of short-lived processes multiplies
     * (stubs of ended ones linger): a bomb can reach the container's pids limit on the host, and then
     * gVisor's kernel fails and the sandbox ends (docs/providers.md, runsc). That is its own end only:
     * the host's pids stay bounded by the limit, and any other sandbox runs on.
     */
    @Test
    void aForkBombInAGvisorSandboxEndsAtMostThatSandbox() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Suite.GVISOR, "a gVisor sandbox's bomb");
        String neighbour = sandboxes.create(Map.of());
        String id = sandboxes.create(Map.of());
        long pidsLimit = Suite.docker().inspectContainerCmd(Suite.containerOf(id)).exec().getHostConfig().getPidsLimit();
        exec(id, Map.of("command", "(b(){ b|b& }; b); while :; do :; done", "timeout", "2s")).then()
                .statusCode(org.hamcrest.Matchers.anyOf(equalTo(200), equalTo(409)));
        Response after = exec(id, Map.of("command", "echo after"));
        if (after.statusCode() == 200) {
            after.then().body("stdout", equalTo("after\n"));
        } else {
            // the sandbox ended: its record says so within the reconciler's grace
            after.then().statusCode(409);
            String state = null;
            for (int attempt = 0; attempt < 60 && !"unhealthy".equals(state) && !"error".equals(state); attempt++) {
                state = api().get("/sandboxes/{id}", id).then().statusCode(200).extract().path("state");
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            assertTrue(List.of("unhealthy", "error").contains(state), "the bomb's sandbox ended: " + state);
        }
        // what holds the host's pids: the engine's limit on the container, out of the sandbox's reach
        assertTrue(pidsLimit > 0, "the engine bounds the sandbox's host pids: " + pidsLimit);
        exec(neighbour, Map.of("command", "echo alive")).then().statusCode(200).body("exit_code", equalTo(0))
                .body("stdout", equalTo("alive\n"));
    }

    @Test
    void theAgentIsMountedReadOnlySoTheSandboxCannotReplaceIt() {
        String id = sandboxes.create(Map.of());
        exec(id, Map.of("command", "cp /bin/true /.stacyvm/bin/stacyvm-agent || rm -f /.stacyvm/bin/stacyvm-agent; "
                + "test -x /.stacyvm/bin/stacyvm-agent && /.stacyvm/bin/stacyvm-agent ps >/dev/null && echo intact"))
                .then().statusCode(200).body("stdout", equalTo("intact\n"));
    }

    @Test
    void aClientLeavingAStreamedExecKillsItsWholeTree() throws Exception {
        String id = sandboxes.create(Map.of());
        ObjectMapper json = new ObjectMapper();
        HttpRequest request = HttpRequest.newBuilder(URI.create(Suite.URL + "/api/v1/sandboxes/" + id + "/exec"))
                .header("X-API-Key", Suite.API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of(
                        "command", "setsid sh -c 'exec env -i sleep 302' & while true; do echo tick; sleep 0.2; done",
                        "timeout", "5m", "stream", true))))
                .build();
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            assertTrue(new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8)).readLine().contains("tick"));
        }
        boolean gone = false;
        for (int attempt = 0; attempt < 30 && !gone; attempt++) {
            Thread.sleep(500);
            gone = !running(id, "sleep 302") && !running(id, "while true");
        }
        assertTrue(gone, "the streamed command and its setsid child are gone after the client left: " + processes(id));
    }

    @Test
    void processesAreListedToReadersAndOnlyWritersKillOneButNeverPidOneOrAnUnknownPid() throws Exception {
        String tenant = "proc" + Long.toString(System.nanoTime(), 36);
        List<String> keyIds = new java.util.ArrayList<>();
        try {
            String userKey = createKey(tenant, "user", keyIds);
            String viewerKey = createKey(tenant, "viewer", keyIds);
            String id = as(userKey).body(Map.of()).post("/sandboxes").then().statusCode(201).extract().path("id");
            try {
                as(userKey).body(Map.of("command", "sleep 303 & echo started")).post("/sandboxes/{id}/exec", id)
                        .then().statusCode(200).body("exit_code", equalTo(0));
                Response listing = as(viewerKey).get("/sandboxes/{id}/processes", id);
                listing.then().statusCode(200).body("truncated", equalTo(false));
                List<Map<String, Object>> listed = listing.path("processes");
                Map<String, Object> sleeper = listed.stream().filter(p -> "sleep 303".equals(p.get("command"))).findFirst()
                        .orElseThrow(() -> new AssertionError("the background sleep is listed: " + listed));
                assertTrue(listed.stream().anyMatch(p -> Integer.valueOf(1).equals(p.get("pid"))), "pid 1 is listed");
                assertTrue(((Number) sleeper.get("rss_bytes")).longValue() >= 0 && sleeper.get("user") != null
                        && sleeper.get("started_at") != null && sleeper.get("state") != null);
                int pid = (Integer) sleeper.get("pid");

                as(viewerKey).delete("/sandboxes/{id}/processes/{pid}", id, pid).then().statusCode(403);
                as(userKey).delete("/sandboxes/{id}/processes/1", id).then().statusCode(409)
                        .body("code", equalTo("protected_process"));
                as(userKey).delete("/sandboxes/{id}/processes/999999", id).then().statusCode(404)
                        .body("code", equalTo("not_found"));
                assertTrue(running(id, "sleep 303"), "refusals signalled nothing");

                as(userKey).queryParam("signal", "TERM").delete("/sandboxes/{id}/processes/{pid}", id, pid)
                        .then().statusCode(204);
                boolean gone = false;
                for (int attempt = 0; attempt < 20 && !gone; attempt++) {
                    Thread.sleep(250);
                    List<Map<String, Object>> now = as(viewerKey).get("/sandboxes/{id}/processes", id).path("processes");
                    gone = now.stream().noneMatch(p -> "sleep 303".equals(p.get("command")) && !"Z".equals(p.get("state")));
                }
                assertTrue(gone, "the signalled process ended");
            } finally {
                api().delete("/sandboxes/{id}", id);
            }
        } finally {
            keyIds.forEach(keyId -> api().delete("/admin/api-keys/{id}", keyId));
        }
    }

    /**
     * Only a process running the mounted agent binary is spared as the agent: a program that calls
     * itself {@code stacyvm-agent wait} is listed as what it is and can be signalled like any other,
     * while the real keep-alive stays protected.
     */
    @Test
    void aProcessThatOnlyNamesItselfTheAgentIsNeitherListedNorSparedAsTheAgent() throws Exception {
        String id = sandboxes.create(Map.of());
        // a shell whose argv is "stacyvm-agent wait 304", running the script ./wait (a sleep)
        exec(id, Map.of("command", "cd /tmp && printf 'sleep \"$1\"\\n' > wait && python3 -c "
                + "\"import os; os.execv('/bin/sh', ['stacyvm-agent', 'wait', '304'])\" >/dev/null 2>&1 & echo started"))
                .then().statusCode(200).body("stdout", equalTo("started\n"));
        // python replaces itself with the impostor once it has started (seconds on a busy host)
        List<Map<String, Object>> listed = List.of();
        Map<String, Object> impostor = null;
        for (int attempt = 0; attempt < 60 && impostor == null; attempt++) {
            Thread.sleep(250);
            listed = api().get("/sandboxes/{id}/processes", id).then().statusCode(200).extract().path("processes");
            impostor = listed.stream().filter(p -> "stacyvm-agent wait 304".equals(p.get("command"))).findFirst().orElse(null);
        }
        assertNotNull(impostor, "the impostor is listed: " + listed);
        List<Map<String, Object>> found = listed;
        assertFalse(Boolean.TRUE.equals(impostor.get("agent")), "it is not listed as the agent: " + impostor);
        // the sandbox's main process: the agent serving the worker (or only waiting, without its socket)
        Map<String, Object> keepAlive = found.stream().filter(p -> Integer.valueOf(1).equals(p.get("ppid"))
                        && String.valueOf(p.get("command")).matches("/\\.stacyvm/bin/stacyvm-agent (serve|wait)( .*)?"))
                .findFirst().orElseThrow(() -> new AssertionError("the keep-alive is listed: " + found));
        assertEquals(Boolean.TRUE, keepAlive.get("agent"), "the real keep-alive is the agent: " + keepAlive);

        api().queryParam("signal", "KILL").delete("/sandboxes/{id}/processes/{pid}", id, impostor.get("pid"))
                .then().statusCode(204);
        api().queryParam("signal", "KILL").delete("/sandboxes/{id}/processes/{pid}", id, keepAlive.get("pid"))
                .then().statusCode(409).body("code", equalTo("protected_process"));
        boolean gone = false;
        for (int attempt = 0; attempt < 20 && !gone; attempt++) {
            Thread.sleep(250);
            gone = !running(id, "stacyvm-agent wait 304");
        }
        assertTrue(gone, "the impostor was signalled: " + processes(id));
    }

    private static String createKey(String tenant, String role, List<String> keyIds) {
        Response created = api().body(Map.of("name", "app", "tenant", tenant, "role", role)).post("/admin/api-keys");
        created.then().statusCode(201);
        keyIds.add(created.path("id"));
        return created.path("key");
    }

    private static io.restassured.specification.RequestSpecification as(String key) {
        return io.restassured.RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").header("X-API-Key", key)
                .contentType(io.restassured.http.ContentType.JSON).log().ifValidationFails();
    }
}
