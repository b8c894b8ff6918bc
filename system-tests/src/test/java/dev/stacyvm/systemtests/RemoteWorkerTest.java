package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.response.Response;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A second worker on another address: the test makes a network namespace joined to the host by a
 * veth pair, runs worker-service inside it (its own address, the same Docker engine), and watches
 * it register, take a sandbox placed by its labels, serve exec from its own address, get lost when
 * it stops heartbeating (its sandbox goes to error, worker_lost) and clean up when it comes back.
 * The scheduler stays on loopback: a DNAT rule on the host end of the veth forwards the worker's
 * calls to it.
 */
class RemoteWorkerTest {

    private static final String JAVA = System.getProperty("stacyvm.java", System.getProperty("java.home") + "/bin/java");
    private static final String WORKER_JAR = System.getProperty("stacyvm.worker-jar", "");
    /** The sandbox agent the launcher built beside the worker's build (checkout/agent/target). */
    private static final String AGENT_OPTION = WORKER_JAR.isEmpty() ? "-Dstacyvm.worker.agent-path=" : "-Dstacyvm.worker.agent-path="
            + java.nio.file.Path.of(WORKER_JAR).toAbsolutePath().getParent().getParent().getParent().getParent()
                    .resolve("agent/target/stacyvm-agent");
    private static final String SERVICE_TOKEN = System.getProperty("stacyvm.service-token", "");
    private static final int SCHEDULER_PORT = Integer.getInteger("stacyvm.scheduler-port", 7524);

    private final String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    private final String namespace = "svm-test-" + suffix;
    private final String hostEnd = "svh" + suffix;
    private final String workerEnd = "svw" + suffix;
    private final int subnet = ThreadLocalRandom.current().nextInt(1, 250);
    private final String hostAddress = "10.213." + subnet + ".1";
    private final String workerAddress = "10.213." + subnet + ".2";
    private final String workerId = "worker-netns-" + suffix;
    private final String zone = "netns-" + suffix;
    private final List<List<String>> undo = new ArrayList<>();
    private final List<String> sandboxIds = new ArrayList<>();
    private String credential;
    private String credentialId;
    private Process worker;
    private Process rival;
    private Path log;
    private String stateDir;

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0,
                String.join(" ", command) + " failed: " + output);
        return output;
    }

    private static String sha256(String secret) throws java.security.NoSuchAlgorithmException {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @BeforeEach
    void aWorkerInItsOwnNetworkNamespace() throws Exception {
        assertTrue(!WORKER_JAR.isEmpty() && new File(WORKER_JAR).isFile(), "run through ./stacyvm test (-Dstacyvm.worker-jar)");
        run("ip", "netns", "add", namespace);
        undo.add(List.of("ip", "netns", "delete", namespace));
        run("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", workerEnd);
        undo.add(0, List.of("ip", "link", "delete", hostEnd));
        run("ip", "link", "set", workerEnd, "netns", namespace);
        run("ip", "addr", "add", hostAddress + "/30", "dev", hostEnd);
        run("ip", "link", "set", hostEnd, "up");
        run("ip", "netns", "exec", namespace, "ip", "addr", "add", workerAddress + "/30", "dev", workerEnd);
        run("ip", "netns", "exec", namespace, "ip", "link", "set", workerEnd, "up");
        run("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up");
        // the worker reaches the loopback-only scheduler at the host end of the veth
        run("sysctl", "-q", "-w", "net.ipv4.conf." + hostEnd + ".route_localnet=1");
        List<String> dnat = List.of("-t", "nat", "PREROUTING", "-i", hostEnd, "-p", "tcp", "-d", hostAddress,
                "--dport", String.valueOf(SCHEDULER_PORT), "-j", "DNAT", "--to-destination", "127.0.0.1:" + SCHEDULER_PORT);
        List<String> add = new ArrayList<>(List.of("iptables", dnat.get(0), dnat.get(1), "-A"));
        add.addAll(dnat.subList(2, dnat.size()));
        run(add.toArray(String[]::new));
        List<String> delete = new ArrayList<>(List.of("iptables", dnat.get(0), dnat.get(1), "-D"));
        delete.addAll(dnat.subList(2, dnat.size()));
        undo.add(0, delete);

        // the worker's own credential, bound to its id; it never sees the service token itself
        io.restassured.response.Response issued = api().post("/workers/{id}/credentials", workerId);
        issued.then().statusCode(201);
        credential = issued.path("token");
        credentialId = issued.path("id");

        log = Files.createTempFile("stacyvm-netns-worker-", ".log");
        // the worker's own folder for what it keeps beside the engine (its sandboxes' name files)
        stateDir = "-Dstacyvm.worker.state-dir=" + Files.createTempDirectory("stacyvm-netns-worker-");
        undo.add(List.of("rm", "-rf", stateDir.substring(stateDir.indexOf('=') + 1)));
        ProcessBuilder builder = new ProcessBuilder("ip", "netns", "exec", namespace, JAVA, "-Xmx256m", "-XX:+UseSerialGC",
                "-Dstacyvm.worker.labels.zone=" + zone, AGENT_OPTION, stateDir, "-jar", WORKER_JAR).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(Map.of(
                "QUARKUS_HTTP_HOST", workerAddress,
                "QUARKUS_HTTP_PORT", "7425",
                "STACYVM_SERVICE_TOKEN_SHA256", sha256(SERVICE_TOKEN),
                "STACYVM_WORKER_CREDENTIAL", credential,
                "STACYVM_WORKER_ID", workerId,
                "STACYVM_WORKER_ADVERTISED_ENDPOINT", "http://" + workerAddress + ":7425",
                "STACYVM_WORKER_SCHEDULER_URL", "http://" + hostAddress + ":" + SCHEDULER_PORT,
                "STACYVM_WORKER_HEARTBEAT_INTERVAL", "1s",
                "STACYVM_WORKER_CAPACITY", "5"));
        // a worker holds no control-plane secret, even one the test's own environment carries
        builder.environment().keySet().removeAll(List.of("STACYVM_SERVICE_TOKEN", "STACYVM_ADMIN_API_KEY", "STACYVM_DB_PASSWORD"));
        worker = builder.start();
    }

    @AfterEach
    void removeEverythingTheTestMade() throws Exception {
        for (String id : sandboxIds) {
            api().delete("/sandboxes/{id}", id);
        }
        for (Process process : new Process[] {rival, worker}) {
            if (process != null && process.isAlive()) {
                // a clean shutdown tells the scheduler to place nothing more there
                run("kill", "-CONT", String.valueOf(process.pid()));
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
        assertTrue(!"ready".equals(workerStatus()), "the stopped worker takes no more sandboxes");
        for (var container : Suite.docker().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of("dev.stacyvm.worker-id", workerId)).exec()) {
            Suite.docker().removeContainerCmd(container.getId()).withForce(true).exec();
        }
        for (List<String> command : undo) {
            new ProcessBuilder(command).redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
        }
        if (log != null) {
            Files.deleteIfExists(log);
        }
        if (credentialId != null) {
            api().delete("/workers/{id}/credentials/{credential}", workerId, credentialId).then().statusCode(200);
        }
    }

    private String workerStatus() {
        Response answer = api().get("/workers/{id}", workerId);
        return answer.statusCode() == 200 ? answer.path("status") : "absent";
    }

    private String awaitWorker(String status, int seconds) throws Exception {
        String seen = null;
        for (int attempt = 0; attempt < seconds * 4 && !status.equals(seen); attempt++) {
            Thread.sleep(250);
            seen = workerStatus();
        }
        return seen;
    }

    private String awaitSandbox(String id, String state, int seconds) throws Exception {
        String seen = null;
        for (int attempt = 0; attempt < seconds * 4 && !state.equals(seen); attempt++) {
            Thread.sleep(250);
            Response answer = api().get("/sandboxes/{id}", id);
            seen = answer.statusCode() == 404 ? "gone" : answer.path("state");
        }
        return seen;
    }

    private String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    @Test
    void aWorkerOnAnotherAddressServesItsSandboxesIsLostWhenSilentAndCleansUpWhenBack() throws Exception {
        assertEquals("ready", awaitWorker("ready", 120), "the namespaced worker registers: " + tail());
        api().get("/workers/{id}", workerId).then().body("endpoint", equalTo("http://" + workerAddress + ":7425"));

        // placed by its labels, and exec is served from the worker's own address
        String id = api().body(Map.of("ttl", "5m", "worker_labels", Map.of("zone", zone))).post("/sandboxes")
                .then().statusCode(201).body("worker_id", equalTo(workerId)).extract().path("id");
        sandboxIds.add(id);
        api().body(Map.of("command", "echo", "args", List.of("from the namespace"))).post("/sandboxes/{id}/exec", id)
                .then().statusCode(200).body("stdout", equalTo("from the namespace\n"));
        api().body(Map.of("worker_labels", Map.of("zone", "nowhere"))).post("/sandboxes").then().statusCode(503)
                .body("code", equalTo("unavailable"));

        // silent: the worker is lost and its sandbox goes to error
        run("kill", "-STOP", String.valueOf(worker.pid()));
        try {
            assertEquals("lost", awaitWorker("lost", 60));
            assertEquals("error", awaitSandbox(id, "error", 30));
            api().get("/sandboxes/{id}", id).then().body("error", equalTo("worker_lost"));
            api().body(Map.of("worker_labels", Map.of("zone", zone))).post("/sandboxes").then().statusCode(503);
        } finally {
            run("kill", "-CONT", String.valueOf(worker.pid()));
        }

        // back: ready again, and what it still held is cleaned up
        assertEquals("ready", awaitWorker("ready", 60));
        assertEquals("gone", awaitSandbox(id, "gone", 60), "the worker_lost sandbox is destroyed once its worker is back");
        boolean removed = false;
        for (int attempt = 0; attempt < 120 && !removed; attempt++) {
            Thread.sleep(250);
            removed = Suite.containersOf(id).isEmpty();
        }
        assertTrue(removed, "its container is removed");
        String fresh = api().body(Map.of("ttl", "5m", "worker_labels", Map.of("zone", zone))).post("/sandboxes")
                .then().statusCode(201).body("worker_id", equalTo(workerId)).extract().path("id");
        sandboxIds.add(fresh);
    }

    @Test
    void aNewerProcessWithTheSameIdFencesTheOlderOneOff() throws Exception {
        assertEquals("ready", awaitWorker("ready", 120), "the namespaced worker registers: " + tail());
        long generation = ((Number) api().get("/workers/{id}", workerId).path("generation")).longValue();

        // a second process claims the same worker id from another address (the host's loopback)
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(JAVA, "-Xmx256m", "-XX:+UseSerialGC",
                "-Dstacyvm.worker.labels.zone=" + zone, AGENT_OPTION, stateDir, "-jar", WORKER_JAR).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(Map.of(
                "QUARKUS_HTTP_HOST", "127.0.0.1",
                "QUARKUS_HTTP_PORT", String.valueOf(port),
                "STACYVM_SERVICE_TOKEN_SHA256", sha256(SERVICE_TOKEN),
                "STACYVM_WORKER_CREDENTIAL", credential,
                "STACYVM_WORKER_ID", workerId,
                "STACYVM_WORKER_ADVERTISED_ENDPOINT", "http://127.0.0.1:" + port,
                "STACYVM_WORKER_SCHEDULER_URL", "http://127.0.0.1:" + SCHEDULER_PORT,
                "STACYVM_WORKER_HEARTBEAT_INTERVAL", "1s",
                "STACYVM_WORKER_CAPACITY", "5"));
        // a worker holds no control-plane secret, even one the test's own environment carries
        builder.environment().keySet().removeAll(List.of("STACYVM_SERVICE_TOKEN", "STACYVM_ADMIN_API_KEY", "STACYVM_DB_PASSWORD"));
        rival = builder.start();
        String endpoint = null;
        for (int attempt = 0; attempt < 480 && !("http://127.0.0.1:" + port).equals(endpoint); attempt++) {
            Thread.sleep(250);
            endpoint = api().get("/workers/{id}", workerId).path("endpoint");
        }
        assertEquals("http://127.0.0.1:" + port, endpoint, "the newer process took the worker over");
        api().get("/workers/{id}", workerId).then().body("generation", equalTo((int) generation + 1));

        // the older process learns it on its next heartbeat and refuses everything from then on
        int older = 0;
        for (int attempt = 0; attempt < 80 && older != 409; attempt++) {
            Thread.sleep(250);
            older = io.restassured.RestAssured.given().header("X-Service-Token", SERVICE_TOKEN)
                    .get("http://" + workerAddress + ":7425/internal/sandboxes").statusCode();
        }
        assertEquals(409, older, "the superseded process refuses internal calls");
        io.restassured.RestAssured.given().get("http://" + workerAddress + ":7425/q/health/ready").then().statusCode(503);
        io.restassured.RestAssured.given().header("X-Service-Token", SERVICE_TOKEN)
                .get("http://127.0.0.1:" + port + "/internal/sandboxes").then().statusCode(200);
        // and sandboxes placed on the worker now run under the newer process
        String id = api().body(Map.of("ttl", "5m", "worker_labels", Map.of("zone", zone))).post("/sandboxes")
                .then().statusCode(201).body("worker_id", equalTo(workerId)).extract().path("id");
        sandboxIds.add(id);
        api().body(Map.of("command", "true")).post("/sandboxes/{id}/exec", id).then().statusCode(200);
        assertEquals("ready", workerStatus());
    }

    @Test
    void aDestroyThatFailsIsRetriedUntilTheSandboxIsGone() throws Exception {
        assertEquals("ready", awaitWorker("ready", 120), "the namespaced worker registers: " + tail());
        String id = api().body(Map.of("ttl", "5m", "worker_labels", Map.of("zone", zone))).post("/sandboxes")
                .then().statusCode(201).body("worker_id", equalTo(workerId)).extract().path("id");
        sandboxIds.add(id);

        // the worker hangs: the destroy cannot reach it and fails, and the sandbox waits in error
        run("kill", "-STOP", String.valueOf(worker.pid()));
        try {
            api().delete("/sandboxes/{id}", id).then().statusCode(503).body("code", equalTo("unavailable"));
            api().get("/sandboxes/{id}", id).then().statusCode(200).body("state", equalTo("error"));
            // the retry finds the worker lost, so the record is destroyed without it
            assertEquals("gone", awaitSandbox(id, "gone", 60), "the failed destroy was retried");
        } finally {
            run("kill", "-CONT", String.valueOf(worker.pid()));
        }
        // and once the worker is back, the container it kept is removed as an orphan
        assertEquals("ready", awaitWorker("ready", 60));
        boolean removed = false;
        for (int attempt = 0; attempt < 240 && !removed; attempt++) {
            Thread.sleep(250);
            removed = Suite.containersOf(id).isEmpty();
        }
        assertTrue(removed, "the container of the destroyed sandbox is removed");
    }
}
