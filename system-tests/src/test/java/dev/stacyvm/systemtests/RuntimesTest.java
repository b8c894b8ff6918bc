package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The OCI runtime a sandbox asks for (docs/providers.md): runc by default, and gVisor's runsc, under
 * which the sandbox's system calls reach a kernel in user space, never the host's. The runsc tests
 * run wherever the instance's engine has runsc registered ({@code stacyvm.engine-runtimes}, which
 * the launcher reads from the engine; it registers runsc whenever it is installed, as CI does).
 */
class RuntimesTest {

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    @AfterEach
    void destroy() {
        sandboxes.close();
    }

    /** The runtimes the instance's engine has registered, as the launcher read them. */
    private static List<String> engineRuntimes() {
        String listed = System.getProperty("stacyvm.engine-runtimes", "");
        return Arrays.stream(listed.split(",")).map(String::trim).filter(name -> !name.isEmpty()).toList();
    }

    private static void assumeGvisor() {
        assumeTrue(engineRuntimes().contains("runsc"), "the engine has runsc registered (apt-get install runsc; "
                + "the launcher registers it when it starts the engine)");
    }

    private static JsonPath exec(String id, String command) {
        return Suite.exec(id, Map.of("command", command)).then().statusCode(200).extract().jsonPath();
    }

    private static String hostKernelRelease() throws IOException {
        return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
    }

    @Test
    void theWorkerAdvertisesExactlyTheRuntimesItsEngineHas() {
        List<String> expected = List.of("runc", "runsc").stream().filter(engineRuntimes()::contains).toList();
        assertTrue(expected.contains("runc"), "every engine has runc: " + engineRuntimes());
        List<Map<String, Object>> workers = api().get("/workers").then().statusCode(200).extract().jsonPath()
                .getList("$");
        Map<String, Object> worker = workers.stream().filter(w -> Suite.WORKER_ID.equals(w.get("id"))).findFirst()
                .orElseThrow();
        assertEquals(expected, worker.get("runtimes"));
    }

    @Test
    void aSandboxThatNamesNoRuntimeRunsUnderRuncOnTheHostsKernel() throws IOException {
        String id = sandboxes.create(Map.of("ttl", "5m"));
        assertEquals("runc", api().get("/sandboxes/{id}", id).then().statusCode(200).extract().path("runtime"));
        assertEquals("runc", Suite.docker().inspectContainerCmd(Suite.containerOf(id)).exec().getHostConfig().getRuntime());
        assertEquals(hostKernelRelease(), exec(id, "uname -r").getString("stdout").strip());
    }

    @Test
    void aGvisorSandboxNeverRunsOnTheHostsKernelAndStillServesExecsAndFiles() throws IOException, InterruptedException {
        assumeGvisor();
        String id = sandboxes.create(Map.of("ttl", "5m", "runtime", "runsc"));
        assertEquals("runsc", api().get("/sandboxes/{id}", id).then().statusCode(200).extract().path("runtime"));
        String container = Suite.containerOf(id);
        assertEquals("runsc", Suite.docker().inspectContainerCmd(container).exec().getHostConfig().getRuntime());
        // gVisor's kernel answers uname and /proc itself, never the host kernel
        assertNotEquals(hostKernelRelease(), exec(id, "uname -r").getString("stdout").strip());
        assertNotEquals(Files.readString(Path.of("/proc/version")), exec(id, "cat /proc/version").getString("stdout"));
        // the worker's seccomp profile holds inside gVisor too (--oci-seccomp)
        assertEquals("Seccomp:\t2\n", exec(id, "grep Seccomp: /proc/self/status").getString("stdout"));
        long since = System.currentTimeMillis() / 1000 - 1;
        assertEquals("through the agent\n", exec(id, "echo through the agent").getString("stdout"));
        api().body(Map.of("path", "/workspace/under-gvisor.txt", "content", "written under gVisor"))
                .post("/sandboxes/{id}/files", id).then().statusCode(200);
        assertEquals("written under gVisor", api().queryParam("path", "/workspace/under-gvisor.txt")
                .get("/sandboxes/{id}/files", id).then().statusCode(200).extract().asString());
        Thread.sleep(1100);
        // the agent serves inside gVisor too (the engine lets it create its socket on the bind mount)
        if (Boolean.parseBoolean(System.getProperty("stacyvm.agent-socket", "true"))) {
            assertEquals(List.of(), Suite.engineExecsCreated(container, since, System.currentTimeMillis() / 1000 + 1),
                    "an exec, a write and a read went through the agent, not the engine's exec API");
        }
        JsonPath timedOut = Suite.exec(id, Map.of("command", "sleep 30", "timeout", "2s")).then().statusCode(200)
                .extract().jsonPath();
        assertEquals(124, timedOut.getInt("exit_code"));
        // no network at all: only the loopback interface exists
        assertEquals("[(1, 'lo')]\n", exec(id, "python3 -c 'import socket; print(socket.if_nameindex())'")
                .getString("stdout"));
    }

    /** Forks until a fork is refused (at most 1000), each child sleeping 20 s; prints how far it got. */
    private static final String FORK_UNTIL_REFUSED = """
            import os, time
            n = 0
            try:
                while n < 1000:
                    if os.fork() == 0:
                        time.sleep(20)
                        os._exit(0)
                    n += 1
                print("never refused after", n)
            except OSError as e:
                print("refused after", n, e.errno)
            """;

    @Test
    void aForkBombInAGvisorSandboxMeetsItsProcessLimitAndTheSandboxLivesOn() {
        assumeGvisor();
        String id = sandboxes.create(Map.of("ttl", "5m", "runtime", "runsc", "pids_limit", 64));
        api().body(Map.of("path", "/workspace/fork.py", "content", FORK_UNTIL_REFUSED)).post("/sandboxes/{id}/files", id)
                .then().statusCode(200);
        String forked = exec(id, "python3 /workspace/fork.py").getString("stdout");
        // refused in the sandbox (EAGAIN) before its 64th process, as under runc's pids limit
        assertTrue(forked.startsWith("refused after ") && forked.strip().endsWith(" 11"), forked);
        assertTrue(Integer.parseInt(forked.split(" ")[2]) < 64, forked);
        assertEquals("still here\n", exec(id, "echo still here").getString("stdout"), "the sandbox lives on");
    }

    @Test
    void aTimedOutExecInAGvisorSandboxLeavesNoSetsidDescendantBehind() {
        assumeGvisor();
        String id = sandboxes.create(Map.of("ttl", "5m", "runtime", "runsc"));
        JsonPath timedOut = Suite.exec(id, Map.of("command", "setsid sh -c 'exec env -i sleep 307' & echo started; sleep 60",
                "timeout", "2s")).then().statusCode(200).extract().jsonPath();
        assertTrue(timedOut.getBoolean("timed_out"), timedOut.prettify());
        // gVisor has no subreaper: the agent stops the tree whole before it kills it
        assertEquals("0\n", exec(id, "ps -eo args | grep -c '^sleep 307' || true").getString("stdout"));
    }

    @Test
    void aGvisorSandboxIsHeldToItsDiskSizeAndLivesOn() {
        assumeGvisor();
        String id = sandboxes.create(Map.of("ttl", "5m", "runtime", "runsc", "disk_mb", 256));
        JsonPath written = Suite.exec(id, Map.of("command", "dd if=/dev/zero of=/workspace/big bs=1M count=400 2>&1",
                "timeout", "60s")).then().statusCode(200).extract().jsonPath();
        assertNotEquals(0, written.getInt("exit_code"), written.prettify());
        assertTrue(written.getString("stdout").contains("Disk quota exceeded")
                || written.getString("stdout").contains("No space left"), written.prettify());
        assertEquals("still here\n", exec(id, "rm -f /workspace/big; echo still here").getString("stdout"));
    }

    @Test
    void aGvisorSandboxWithANetworkOrPreviewPortsIsRefusedBeforeAnythingStarts() {
        api().body(Map.of("runtime", "runsc", "network", "bridge")).post("/sandboxes")
                .then().statusCode(400).body("code", org.hamcrest.Matchers.equalTo("bad_request"))
                .body("message", containsString("without a network"));
        api().body(Map.of("runtime", "runsc", "ports", List.of(3000))).post("/sandboxes")
                .then().statusCode(400).body("message", containsString("without a network"));
    }

    @Test
    void admissionAnswersWhetherAWorkerOffersTheRuntime() {
        api().body(Map.of("runtime", "runc")).post("/sandboxes/admission").then().statusCode(200)
                .body("allowed", org.hamcrest.Matchers.equalTo(true));
        boolean gvisor = engineRuntimes().contains("runsc");
        api().body(Map.of("runtime", "runsc")).post("/sandboxes/admission").then().statusCode(200)
                .body("allowed", org.hamcrest.Matchers.equalTo(gvisor))
                .body("reason", gvisor ? org.hamcrest.Matchers.equalTo("")
                        : org.hamcrest.Matchers.equalTo("no ready worker offers runtime runsc"));
    }

    @Test
    void anUnknownRuntimeIsRefusedNamingTheOnesThereAre() {
        api().body(Map.of("runtime", "kata")).post("/sandboxes")
                .then().statusCode(400).body("code", org.hamcrest.Matchers.equalTo("bad_request"))
                .body("message", containsString("runc")).body("message", containsString("runsc"));
    }

    @Test
    void aTemplateCarriesItsRuntimeToEverySandboxSpawnedFromIt() {
        assumeGvisor();
        String name = "gvisor-" + Long.toHexString(System.nanoTime());
        api().body(Map.of("name", name, "runtime", "runsc", "ttl", "5m")).post("/templates").then().statusCode(201)
                .body("runtime", org.hamcrest.Matchers.equalTo("runsc"));
        try {
            String id = sandboxes.create(Map.of("template", name));
            assertEquals("runsc", api().get("/sandboxes/{id}", id).then().statusCode(200).extract().path("runtime"));
            // a warm pool starts containers before anyone asks: only runc's are kept
            api().body(Map.of("name", name, "runtime", "runsc", "pool_size", 1)).put("/templates/{name}", name)
                    .then().statusCode(400).body("message", containsString("runtime"));
        } finally {
            api().delete("/templates/{name}", name).then().statusCode(org.hamcrest.Matchers.anyOf(
                    org.hamcrest.Matchers.is(200), org.hamcrest.Matchers.is(204)));
        }
    }
}
