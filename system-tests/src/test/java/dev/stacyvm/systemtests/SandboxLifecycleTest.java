package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.command.InspectContainerResponse;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one path through every service: create, exec, destroy, and the audit trail of all three. */
class SandboxLifecycleTest {

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    @AfterEach
    void destroyLeftovers() {
        sandboxes.close();
    }

    @Test
    void createExecDestroyRunsOnDockerAndIsAuditedInOrder() throws InterruptedException {
        Instant started = Instant.now().minusSeconds(1);
        String id = api().body(Map.of("memory_mb", 256, "ttl", "10m", "metadata", Map.of("task", "lifecycle")))
                .post("/sandboxes")
                .then().statusCode(201)
                .body("id", matchesPattern("sb-[a-z0-9]{8,}"))
                .body("state", equalTo("running"))
                .body("provider", equalTo("docker"))
                .body("image", equalTo("stacyvm/base:bookworm"))
                .body("memory_mb", equalTo(256))
                .body("vcpus", equalTo(1))
                .body("metadata.task", equalTo("lifecycle"))
                .body("created_at", notNullValue())
                .body("preview_domain", equalTo("localhost:" + Integer.getInteger("stacyvm.preview-port", 7580)))
                .body("worker_id", equalTo(Suite.WORKER_ID))
                .extract().path("id");
        JsonPath created = api().get("/sandboxes/{id}", id).then().statusCode(200).extract().jsonPath();
        Duration ttl = Duration.between(Instant.parse(created.getString("created_at")),
                Instant.parse(created.getString("expires_at")));
        assertEquals(Duration.ofMinutes(10), ttl);
        api().get("/sandboxes").then().statusCode(200).body("id", hasItem(id));
        Suite.containerOf(id); // one container carries the sandbox's name

        api().body(Map.of("command", "python3 -c 'print(40+2)'"))
                .post("/sandboxes/{id}/exec", id)
                .then().statusCode(200)
                .body("exit_code", equalTo(0))
                .body("stdout", equalTo("42\n"))
                .body("stderr", equalTo(""))
                .body("timed_out", is(false))
                .body("duration", matchesPattern("[0-9.]+(ns|µs|ms|s)|([0-9]+h)?([0-9]+m)?[0-9.]+s"));

        api().delete("/sandboxes/{id}", id).then().statusCode(200).body("status", equalTo("destroyed"));
        assertTrue(Suite.containersOf(id).isEmpty(), "the container is gone after destroy");
        api().get("/sandboxes/{id}", id).then().statusCode(404).body("code", equalTo("not_found"));
        api().get("/sandboxes").then().statusCode(200).body("id", not(hasItem(id)));

        List<String> actions = awaitAuditActions(id, 3, started);
        assertEquals(List.of("sandbox.create", "sandbox.exec", "sandbox.destroy"), actions);
    }

    @Test
    void destroyIsIdempotent() {
        String id = sandboxes.create(Map.of());
        api().delete("/sandboxes/{id}", id).then().statusCode(200).body("status", equalTo("destroyed"));
        api().delete("/sandboxes/{id}", id).then().statusCode(200).body("status", equalTo("destroyed"));
        assertTrue(Suite.containersOf(id).isEmpty());
    }

    @Test
    void execThatOutlivesItsTimeoutIsKilledWithItsChildren() {
        String id = sandboxes.create(Map.of());
        long before = System.nanoTime();
        api().body(Map.of("command", "sleep 100 & sleep 100", "timeout", "2s"))
                .post("/sandboxes/{id}/exec", id)
                .then().statusCode(200)
                .body("timed_out", is(true))
                .body("exit_code", anyOf(equalTo(124), equalTo(137)));
        Duration took = Duration.ofNanos(System.nanoTime() - before);
        assertTrue(took.compareTo(Duration.ofSeconds(30)) < 0, "the exec answered long before the sleeps end: " + took);

        String processes = api().body(Map.of("command", "ps -eo args"))
                .post("/sandboxes/{id}/exec", id)
                .then().statusCode(200).body("exit_code", equalTo(0))
                .extract().path("stdout");
        assertFalse(processes.contains("sleep 100"), "no process of the timed-out command survives:\n" + processes);
    }

    @Test
    void execReportsExitCodesAndStderrOfFailingCommands() {
        String id = sandboxes.create(Map.of());
        api().body(Map.of("command", "echo out; echo err >&2; exit 3"))
                .post("/sandboxes/{id}/exec", id)
                .then().statusCode(200)
                .body("exit_code", equalTo(3))
                .body("stdout", equalTo("out\n"))
                .body("stderr", equalTo("err\n"))
                .body("timed_out", is(false));
    }

    @Test
    void outputBeyondTheCapIsDroppedAndMarked() {
        String id = sandboxes.create(Map.of());
        // the test instance caps each stream at 1 MiB; 3 MB of output must not come back whole
        String stdout = api().body(Map.of("command", "head -c 3000000 /dev/zero | tr '\\0' a; echo done >&2"))
                .post("/sandboxes/{id}/exec", id)
                .then().statusCode(200).body("exit_code", equalTo(0)).body("stderr", equalTo("done\n"))
                .extract().path("stdout");
        assertTrue(stdout.length() < 1_100_000, "output was capped: " + stdout.length());
        assertTrue(stdout.startsWith("aaaa"));
        assertTrue(stdout.contains("[stacyvm: output truncated,"), "the answer says it was truncated");
    }

    @Test
    void execHonoursArgvModeEnvironmentAndWorkdir() {
        String id = sandboxes.create(Map.of("env", Map.of("FROM_CREATE", "yes")));
        api().body(Map.of("command", "python3", "args", List.of("-c", "import os,sys; print(os.getcwd(), "
                        + "os.environ['GREETING'], os.environ['FROM_CREATE'], sys.argv[1:])", "$HOME", "a b"),
                        "mode", "argv", "env", Map.of("GREETING", "hello world"), "workdir", "/tmp"))
                .post("/sandboxes/{id}/exec", id)
                .then().statusCode(200)
                .body("exit_code", equalTo(0))
                .body("stdout", equalTo("/tmp hello world yes ['$HOME', 'a b']\n"));
        // the command line is the shell's; args are literal words (ExecRequestsTest)
        api().body(Map.of("command", "echo $STACYVM_SANDBOX_ID", "args", List.of("$STACYVM_SANDBOX_ID")))
                .post("/sandboxes/{id}/exec", id)
                .then().statusCode(200)
                .body("stdout", equalTo(id + " $STACYVM_SANDBOX_ID\n"));
    }

    @Test
    void sandboxContainersAreHardenedForUntrustedCode() {
        String id = sandboxes.create(Map.of("memory_mb", 300, "vcpus", 1));
        InspectContainerResponse container = Suite.docker().inspectContainerCmd(Suite.containerOf(id)).exec();
        var host = container.getHostConfig();
        assertEquals("ALL", String.valueOf(host.getCapDrop()[0]));
        assertTrue(host.getSecurityOpts().stream().anyMatch(opt -> opt.startsWith("no-new-privileges")));
        assertEquals(256L, host.getPidsLimit());
        assertEquals(300L * 1024 * 1024, host.getMemory());
        assertEquals(host.getMemory(), host.getMemorySwap(), "no swap beyond the memory limit");
        assertEquals(1_000_000_000L, host.getNanoCPUs());
        assertEquals("none", host.getNetworkMode());
        assertEquals(Boolean.FALSE, host.getPrivileged());
        assertEquals(id, container.getConfig().getLabels().get(Suite.LABEL_SANDBOX));
        assertEquals(Suite.WORKER_ID, container.getConfig().getLabels().get("dev.stacyvm.worker-id"));

        api().body(Map.of("command", "id -u; cat /proc/self/status | grep CapEff; python3 -c \"import socket; "
                        + "socket.create_connection(('1.1.1.1', 53), timeout=2)\" 2>&1 | tail -1"))
                .post("/sandboxes/{id}/exec", id)
                .then().statusCode(200)
                .body("stdout", matchesPattern("(?s)1000\nCapEff:\\s+0000000000000000\n.*(unreachable|Network is unreachable|Errno).*"));
    }

    /** Polls the audit log (fed from Kafka) until the sandbox's public actions are there, at most 30 s. */
    static List<String> awaitAuditActions(String sandboxId, int expected, Instant since) throws InterruptedException {
        List<String> actions = List.of();
        for (int attempt = 0; attempt < 60; attempt++) {
            List<Map<String, Object>> records = api().queryParam("target", sandboxId)
                    .queryParam("since", since.toString())
                    .get("/admin/audit").then().statusCode(200).extract().jsonPath().getList("$");
            actions = records.stream()
                    .filter(record -> "audit.recorded".equals(record.get("event_type")))
                    .map(record -> (String) record.get("action"))
                    .toList();
            if (actions.size() >= expected) {
                return actions;
            }
            Thread.sleep(500);
        }
        return actions;
    }
}
