package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The worker's warm pool (the test instance keeps 2 containers of the default shape ready): a
 * default create claims one, the pool fills up again, a claimed container is never handed out
 * again, pooled containers are hardened like any sandbox, and a create that finds no fitting or
 * no ready container starts one cold.
 */
class WarmPoolTest {

    private static final String WORKER_URL = System.getProperty("stacyvm.worker-url", "http://127.0.0.1:7525");
    private static final String SERVICE_TOKEN = System.getProperty("stacyvm.service-token", "");
    private static final String DEFAULT_IMAGE = "stacyvm/base:bookworm";

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    @AfterEach
    void cleanUp() {
        sandboxes.close();
    }

    /** The worker's pool of the default image: target, ready, claimed, missed. */
    private static Map<String, Object> pool() {
        List<Map<String, Object>> pools = given().baseUri(WORKER_URL).header("X-Service-Token", SERVICE_TOKEN)
                .get("/internal/warm-pool").then().statusCode(200).extract().jsonPath().getList("$");
        return pools.stream().filter(pool -> DEFAULT_IMAGE.equals(pool.get("image"))).findFirst()
                .orElseThrow(() -> new AssertionError("no warm pool of " + DEFAULT_IMAGE + ": " + pools));
    }

    private static long count(Map<String, Object> pool, String field) {
        return ((Number) pool.get(field)).longValue();
    }

    /** Waits (at most 60 s) until the pool holds its target, and answers the ids of its containers. */
    private static Set<String> awaitFullPool() throws InterruptedException {
        for (int attempt = 0; attempt < 240; attempt++) {
            Map<String, Object> pool = pool();
            Set<String> pooled = pooledContainers();
            if (count(pool, "ready") == count(pool, "target") && pooled.size() == count(pool, "target")) {
                return pooled;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the warm pool did not fill up within 60 s: " + pool() + " " + pooledContainers());
    }

    /** Running containers the engine shows under a pool name for the test worker. */
    private static Set<String> pooledContainers() {
        return Suite.docker().listContainersCmd()
                .withLabelFilter(Map.of("dev.stacyvm.worker-id", Suite.WORKER_ID))
                .withNameFilter(List.of("^/stacyvm-pool-")).exec().stream()
                .map(Container::getId).collect(Collectors.toSet());
    }

    @Test
    void aDefaultCreateClaimsAReadyContainerAndThePoolFillsUpAgain() throws Exception {
        Set<String> pooled = awaitFullPool();
        assertEquals(2, pooled.size(), "the test instance keeps two containers ready");
        long claimedBefore = count(pool(), "claimed");

        String id = sandboxes.create(Map.of());
        String container = Suite.containerOf(id);
        assertTrue(pooled.contains(container), "the sandbox got one of the ready containers");
        assertEquals(claimedBefore + 1, count(pool(), "claimed"));
        assertEquals("/stacyvm-" + id, Suite.docker().inspectContainerCmd(container).exec().getName());
        api().body(Map.of("command", "echo $STACYVM_SANDBOX_ID; id -u")).post("/sandboxes/{id}/exec", id)
                .then().statusCode(200).body("stdout", equalTo(id + "\n1000\n"));

        Set<String> refilled = awaitFullPool();
        assertFalse(refilled.contains(container), "a claimed container left the pool");
        // the scheduler's reconciliation (every second here) leaves pooled containers alone
        Thread.sleep(3000);
        assertTrue(pooledContainers().containsAll(refilled), "pooled containers are no orphans");
    }

    @Test
    void poolStatusShowsEachWorkersWarmPoolsToOperatorsAndOnlyTotalsToOthers() throws Exception {
        awaitFullPool();
        String id = sandboxes.create(Map.of());
        Map<String, Object> internal = pool();
        io.restassured.path.json.JsonPath status = api().get("/pool/status").then().statusCode(200)
                .body("enabled", equalTo(false)).extract().jsonPath();
        assertTrue(status.getInt("warm_target") >= count(internal, "target"), status.prettify());
        List<Map<String, Object>> pools = status.getList("workers.find { it.worker_id == '" + Suite.WORKER_ID + "' }.pools");
        assertNotNull(pools, "the test worker is listed: " + status.prettify());
        Map<String, Object> shown = pools.stream().filter(pool -> DEFAULT_IMAGE.equals(pool.get("image"))).findFirst()
                .orElseThrow(() -> new AssertionError("its default pool: " + status.prettify()));
        assertEquals(count(internal, "target"), count(shown, "target"));
        assertTrue(count(shown, "claimed") >= 1, "the create just now was a hit: " + shown);
        assertEquals(count(internal, "claimed"), count(shown, "claimed"), "the worker's own figures");
        assertTrue(Suite.containerOf(id) != null);

        try (Suite.Keys keys = new Suite.Keys()) {
            String user = keys.issue("default", "user");
            io.restassured.path.json.JsonPath seen = Suite.as(user).get("/pool/status").then().statusCode(200)
                    .body("enabled", equalTo(false)).extract().jsonPath();
            assertNull(seen.get("workers"), "worker ids are for operators: " + seen.prettify());
            assertEquals(status.getInt("warm_target"), seen.getInt("warm_target"));
        }
    }

    @Test
    void aClaimedContainerIsNeverHandedOutAgain() throws Exception {
        awaitFullPool();
        String first = sandboxes.create(Map.of());
        String container = Suite.containerOf(first);
        api().body(Map.of("command", "echo secret > /tmp/left-behind; echo secret > ~/left-behind"))
                .post("/sandboxes/{id}/exec", first).then().statusCode(200).body("exit_code", equalTo(0));
        api().delete("/sandboxes/{id}", first).then().statusCode(200);
        assertThrowsNotFound(container);

        for (int round = 0; round < 3; round++) {
            awaitFullPool();
            String next = sandboxes.create(Map.of());
            assertFalse(container.equals(Suite.containerOf(next)), "a destroyed sandbox's container is never reused");
            api().body(Map.of("command", "ls /tmp/left-behind ~/left-behind 2>/dev/null | wc -l"))
                    .post("/sandboxes/{id}/exec", next).then().statusCode(200).body("stdout", equalTo("0\n"));
        }
    }

    @Test
    void aSandboxDestroyedRightAfterItsWarmCreateLeavesNoContainerBehind() throws Exception {
        // the claimed container is renamed just after the create is answered (PoolClaims): whether
        // the destroy comes before or after that, it removes the container, under either name
        for (int round = 0; round < 3; round++) {
            Set<String> pooled = awaitFullPool();
            String id = api().body(Map.of()).post("/sandboxes").then().statusCode(201).extract().path("id");
            api().delete("/sandboxes/{id}", id).then().statusCode(200).body("status", equalTo("destroyed"));
            Thread.sleep(1000);
            assertTrue(Suite.containersOf(id).isEmpty(), "nothing carries the sandbox's name");
            Set<String> left = pooledContainers();
            for (String container : pooled) {
                if (!left.contains(container)) {
                    assertThrowsNotFound(container); // the one the create claimed
                }
            }
            assertEquals(pooled.size() - 1, pooled.stream().filter(left::contains).count(),
                    "exactly one pooled container was claimed, and it is gone");
        }
    }

    private static void assertThrowsNotFound(String container) {
        try {
            Suite.docker().inspectContainerCmd(container).exec();
        } catch (NotFoundException gone) {
            return;
        }
        throw new AssertionError("container " + container + " is still there after its sandbox was destroyed");
    }

    @Test
    void pooledContainersAreHardenedLikeColdOnes() throws Exception {
        awaitFullPool();
        String warm = sandboxes.create(Map.of());
        // an environment cannot be given to a container that is already running: this one starts cold
        String cold = sandboxes.create(Map.of("env", Map.of("GREETING", "hello")));
        var warmContainer = Suite.docker().inspectContainerCmd(Suite.containerOf(warm)).exec();
        var coldContainer = Suite.docker().inspectContainerCmd(Suite.containerOf(cold)).exec();
        assertNotNull(warmContainer.getConfig().getLabels().get("dev.stacyvm.pool"), "the first came from the pool");
        assertNull(coldContainer.getConfig().getLabels().get("dev.stacyvm.pool"), "the second was created cold");
        assertEquals(cold, coldContainer.getConfig().getLabels().get(Suite.LABEL_SANDBOX));

        HostConfig w = warmContainer.getHostConfig();
        HostConfig c = coldContainer.getHostConfig();
        assertEquals(List.of(c.getCapDrop()), List.of(w.getCapDrop()));
        assertEquals(c.getSecurityOpts(), w.getSecurityOpts());
        assertEquals(c.getPidsLimit(), w.getPidsLimit());
        assertEquals(c.getMemory(), w.getMemory());
        assertEquals(c.getMemorySwap(), w.getMemorySwap());
        assertEquals(c.getNanoCPUs(), w.getNanoCPUs());
        assertEquals("none", w.getNetworkMode());
        assertEquals(c.getInit(), w.getInit());
        assertEquals(c.getTmpFs(), w.getTmpFs());
        assertEquals(Boolean.FALSE, w.getPrivileged());
        assertEquals(coldContainer.getConfig().getUser(), warmContainer.getConfig().getUser());
        api().body(Map.of("command", "echo $GREETING")).post("/sandboxes/{id}/exec", cold)
                .then().statusCode(200).body("stdout", equalTo("hello\n"));
    }

    @Test
    void aCreateOfAnotherShapeStartsColdAndLeavesThePoolAlone() throws Exception {
        Set<String> pooled = awaitFullPool();
        long missedBefore = count(pool(), "missed");
        String id = sandboxes.create(Map.of("memory_mb", 300));
        assertFalse(pooled.contains(Suite.containerOf(id)));
        assertEquals(pooled, pooledContainers(), "the pool kept its containers");
        assertEquals(missedBefore, count(pool(), "missed"), "a create of another shape is no miss");
    }

    @Test
    void aCreateFindingThePoolEmptyStartsColdAndThePoolRecovers() throws Exception {
        Set<String> pooled = awaitFullPool();
        long missedBefore = count(pool(), "missed");
        Set<String> lost = new HashSet<>();
        String id = null;
        String container = null;
        // the worker checks its pool every few seconds and refills it 200 ms after every claim: when
        // a refill came between the removal and the create, the create claimed a new pooled
        // container. Each retry waits until the pool is full again, so that no refill is under way
        // (a full pool starts nothing until its next check), and keeps the last attempt's sandbox.
        for (int attempt = 0; attempt < 5; attempt++) {
            // the engine loses every pooled container behind the worker's back
            Set<String> now = attempt == 0 ? pooled : awaitFullPool();
            for (String gone : now) {
                Suite.docker().removeContainerCmd(gone).withForce(true).exec();
            }
            lost.addAll(now);
            id = sandboxes.create(Map.of());
            container = Suite.containerOf(id);
            if (id.equals(Suite.docker().inspectContainerCmd(container).exec().getConfig().getLabels().get(Suite.LABEL_SANDBOX))
                    || attempt == 4) {
                break;
            }
            api().delete("/sandboxes/{id}", id).then().statusCode(200);
        }
        assertFalse(lost.contains(container));
        assertEquals(id, Suite.docker().inspectContainerCmd(container).exec().getConfig().getLabels().get(Suite.LABEL_SANDBOX),
                "started cold");
        assertTrue(count(pool(), "missed") > missedBefore, "the empty pool counted a miss");
        api().body(Map.of("command", "echo", "args", List.of("cold"))).post("/sandboxes/{id}/exec", id)
                .then().statusCode(200).body("stdout", equalTo("cold\n"));
        assertTrue(awaitFullPool().stream().noneMatch(lost::contains), "the pool filled up with new containers");
    }

    /** The worker's pool of the default image at {@code memoryMb}, if it keeps one. */
    private static java.util.Optional<Map<String, Object>> poolOf(int memoryMb) {
        List<Map<String, Object>> pools = given().baseUri(WORKER_URL).header("X-Service-Token", SERVICE_TOKEN)
                .get("/internal/warm-pool").then().statusCode(200).extract().jsonPath().getList("$");
        return pools.stream().filter(pool -> DEFAULT_IMAGE.equals(pool.get("image"))
                && ((Number) pool.get("memory_mb")).intValue() == memoryMb).findFirst();
    }

    @Test
    void aTemplatesPoolSizeKeepsWarmSandboxesOfItsShapeThatItsSpawnsClaim() throws Exception {
        int memoryMb = 320; // a shape of its own, beside the default pool's
        String template = "warm-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        api().body(Map.of("name", template, "image", DEFAULT_IMAGE, "memory_mb", memoryMb, "pool_size", 1,
                "env", Map.of("A", "1"))).post("/templates").then().statusCode(400)
                .body("message", org.hamcrest.Matchers.containsString("pool_size"));
        api().body(Map.of("name", template, "image", DEFAULT_IMAGE, "pool_size", 99)).post("/templates").then()
                .statusCode(400);
        try (Suite.Keys keys = new Suite.Keys()) {
            // warm containers hold a host's memory before anyone asks: only an administrator decides
            Suite.as(keys.issue("default", "user")).body(Map.of("name", template, "image", DEFAULT_IMAGE, "pool_size", 1))
                    .post("/templates").then().statusCode(403);
        }
        api().body(Map.of("name", template, "image", DEFAULT_IMAGE, "memory_mb", memoryMb, "pool_size", 1))
                .post("/templates").then().statusCode(201).body("pool_size", equalTo(1));
        try {
            Map<String, Object> pool = null;
            for (int attempt = 0; attempt < 240; attempt++) {
                pool = poolOf(memoryMb).orElse(null);
                if (pool != null && count(pool, "ready") == 1) {
                    break;
                }
                Thread.sleep(250);
            }
            assertTrue(pool != null && count(pool, "ready") == 1 && count(pool, "target") == 1,
                    "the worker keeps one warm sandbox of the template's shape within 60 s: " + pool);
            String id = api().post("/templates/{t}/spawn", template).then().statusCode(201).extract().path("id");
            sandboxes.adopt(id);
            assertEquals(1, count(poolOf(memoryMb).orElseThrow(), "claimed"), "the spawn claimed the warm sandbox");
            Suite.exec(id, Map.of("command", "true")).then().statusCode(200).body("exit_code", equalTo(0));
        } finally {
            api().delete("/templates/{t}", template).then().statusCode(200);
        }
        for (int attempt = 0; attempt < 240 && (poolOf(memoryMb).isPresent()
                || pooledContainers().size() > count(pool(), "target")); attempt++) {
            Thread.sleep(250);
        }
        assertTrue(poolOf(memoryMb).isEmpty(), "a deleted template's pool goes within 60 s");
        assertEquals(count(pool(), "target"), pooledContainers().size(), "and its warm containers with it");
    }
}
