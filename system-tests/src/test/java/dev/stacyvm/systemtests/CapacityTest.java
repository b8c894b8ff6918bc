package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Host capacity: each worker advertises what its host can hold (memory, vCPUs, pids, a per-sandbox
 * pids_limit ceiling), and placement never passes it. The test instance's host is small and the
 * same everywhere (the launcher's {@code cmd_test}: 2 cores, 16 vCPUs in all, 14 GiB, 16384 pids,
 * 1024 per sandbox).
 */
class CapacityTest {

    private final String prefix = "capacity-" + UUID.randomUUID().toString().substring(0, 8);
    /** Sandbox id and the end user that owns it, for the clean-up. */
    private final List<String[]> created = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (String[] sandbox : created) {
            api().header("X-User-ID", sandbox[1]).delete("/sandboxes/{id}", sandbox[0]);
        }
    }

    private Response create(String user, Map<String, Object> body) {
        Response response = api().header("X-User-ID", user).body(body).post("/sandboxes");
        if (response.statusCode() == 201) {
            created.add(new String[] {response.path("id"), user});
        }
        return response;
    }

    /** This instance's own worker as the operator view shows it. */
    private static JsonPath worker() {
        return api().get("/workers/{id}", Suite.WORKER_ID).then().statusCode(200).extract().jsonPath();
    }

    /** The largest value of one host figure among the ready workers that advertise one. */
    private static long largestHost(String figure) {
        List<Map<String, Object>> workers = api().get("/workers").then().statusCode(200).extract().jsonPath().getList("$");
        long largest = 0;
        for (Map<String, Object> worker : workers) {
            if ("ready".equals(worker.get("status")) && worker.get("host") instanceof Map<?, ?> host) {
                largest = Math.max(largest, ((Number) host.get(figure)).longValue());
            }
        }
        return largest;
    }

    private void assertNothingCreatedFor(String user) {
        api().header("X-User-ID", user).get("/sandboxes").then().statusCode(200)
                .body("owner_id", not(hasItem(containsString(user))));
    }

    @Test
    void workersAdvertiseTheirCapacity() {
        String user = prefix + "-view";
        JsonPath before = worker();
        assertTrue(before.getLong("host.memory_mb") > 0, "the worker advertises its memory: " + before.prettify());
        assertTrue(before.getLong("host.vcpus") >= before.getLong("host.cores"), "the worker advertises its vCPUs");
        assertTrue(before.getLong("host.cores") >= 2, "the worker advertises its cores");
        assertTrue(before.getLong("host.pids") > 0, "the worker advertises its pids budget");
        assertTrue(before.getLong("host.max_pids_limit") > 0, "the worker advertises its per-sandbox pids ceiling");
        assertTrue(before.getLong("host.max_disk_mb") > 0, "the worker advertises the largest disk one sandbox may have");
        assertTrue(before.getLong("host.disk_mb") >= before.getLong("host.max_disk_mb"), "and the disk sandboxes may declare");
        assertTrue(before.getLong("host.disk_free_mb") <= before.getLong("host.max_disk_mb"), "and what is free now");
        create(user, Map.of("memory_mb", 320, "vcpus", 2, "pids_limit", 96, "disk_mb", 700, "ttl", "5m")).then()
                .statusCode(201);
        JsonPath after = worker();
        assertEquals(before.getLong("used.memory_mb") + 320, after.getLong("used.memory_mb"), after.prettify());
        assertEquals(before.getLong("used.vcpus") + 2, after.getLong("used.vcpus"));
        assertEquals(before.getLong("used.pids") + 96, after.getLong("used.pids"));
        assertEquals(before.getLong("used.disk_mb") + 700, after.getLong("used.disk_mb"));
        assertEquals(before.getLong("host.memory_mb"), after.getLong("host.memory_mb"));
        // the view is for operators: it names internal addresses, so a plain key never sees it
        Response issued = api().body(Map.of("name", "capacity", "tenant", prefix, "role", "user")).post("/admin/api-keys");
        issued.then().statusCode(201);
        try {
            Suite.anonymous().header("X-API-Key", issued.path("key")).get("/workers").then().statusCode(403);
        } finally {
            api().delete("/admin/api-keys/{id}", (String) issued.path("id"));
        }
    }

    @Test
    void aSandboxLargerThanAnyHostsDiskIsRefused() {
        String user = prefix + "-disk";
        long largest = largestHost("max_disk_mb");
        assertTrue(largest > 0, "the workers advertise their disk");
        create(user, Map.of("disk_mb", largest + 1, "ttl", "5m")).then().statusCode(422)
                .body("code", equalTo("exceeds_host_capacity"))
                .body("message", containsString("disk_mb"));
        api().header("X-User-ID", user).body(Map.of("disk_mb", largest + 1)).post("/sandboxes/admission")
                .then().statusCode(200).body("allowed", is(false)).body("reason", containsString("disk_mb"));
        assertNothingCreatedFor(user);
    }

    @Test
    void aSandboxLargerThanAnyHostIsRefused() {
        String user = prefix + "-large";
        // one sandbox never gets more vCPUs than a host has cores (the engine would refuse it)
        long vcpus = largestHost("cores");
        assertTrue(vcpus > 0 && vcpus < 8, "the test hosts have fewer cores than the gateway allows one sandbox: " + vcpus);
        create(user, Map.of("vcpus", vcpus + 1, "memory_mb", 64, "ttl", "5m")).then().statusCode(422)
                .body("code", equalTo("exceeds_host_capacity"))
                .body("message", containsString("vcpus"));
        // the admission route gives the same answer, without creating anything
        api().header("X-User-ID", user).body(Map.of("vcpus", vcpus + 1, "memory_mb", 64)).post("/sandboxes/admission")
                .then().statusCode(200).body("allowed", is(false)).body("reason", containsString("vcpus"));
        assertNothingCreatedFor(user);
    }

    @Test
    void aSandboxCannotRaiseItsPidsLimitPastTheHostCeiling() {
        String user = prefix + "-pids";
        long ceiling = worker().getLong("host.max_pids_limit");
        assertTrue(ceiling >= 16 && ceiling < 4096, "the test host's per-sandbox pids ceiling is below the gateway's maximum: "
                + ceiling);
        create(user, Map.of("pids_limit", ceiling + 1, "memory_mb", 64, "ttl", "5m")).then().statusCode(422)
                .body("code", equalTo("exceeds_host_capacity"))
                .body("message", containsString("pids_limit"));
        create(user, Map.of("pids_limit", 4096, "memory_mb", 64, "ttl", "5m")).then().statusCode(422)
                .body("code", equalTo("exceeds_host_capacity"));
        assertNothingCreatedFor(user);
        // up to the ceiling is fine, and the container really has that limit
        String id = create(user, Map.of("pids_limit", ceiling, "memory_mb", 64, "ttl", "5m")).then().statusCode(201)
                .extract().path("id");
        Long inForce = Suite.docker().inspectContainerCmd(Suite.containerOf(id)).exec().getHostConfig().getPidsLimit();
        assertEquals(ceiling, inForce);
    }

    @Test
    void placementNeverOvercommitsAHostBeyondItsAdvertisedCapacity() {
        Instant deadline = Instant.now().plus(4, ChronoUnit.MINUTES);
        long free = 0;
        long cores = Long.MAX_VALUE;
        List<Map<String, Object>> workers = api().get("/workers").then().statusCode(200).extract().jsonPath().getList("$");
        for (Map<String, Object> worker : workers) {
            if ("ready".equals(worker.get("status")) && worker.get("host") instanceof Map<?, ?> host
                    && worker.get("used") instanceof Map<?, ?> used) {
                free += ((Number) host.get("vcpus")).longValue() - ((Number) used.get("vcpus")).longValue();
                cores = Math.min(cores, ((Number) host.get("cores")).longValue());
            }
        }
        assertTrue(free > 0 && free <= 64, "the test hosts have a little room left: " + free + " vCPUs");
        // fill every free vCPU, as many at a time as a host has cores, each sandbox by its own end
        // user so no per-owner quota is what stops it
        int i = 0;
        while (free > 0) {
            assertTrue(i < 40 && Instant.now().isBefore(deadline), "filling took too many creates");
            long vcpus = Math.min(cores, free);
            create(prefix + "-fill-" + i, Map.of("vcpus", vcpus, "memory_mb", 64, "pids_limit", 32, "ttl", "5m"))
                    .then().statusCode(201);
            free -= vcpus;
            i++;
        }
        JsonPath full = worker();
        assertTrue(full.getLong("used.vcpus") <= full.getLong("host.vcpus"), "the worker is not overcommitted: "
                + full.prettify());
        // one vCPU more does not fit anywhere: a capacity refusal, not a quota one
        String next = prefix + "-next";
        create(next, Map.of("vcpus", 1, "memory_mb", 64, "ttl", "5m")).then().statusCode(429)
                .header("Retry-After", notNullValue())
                .body("code", equalTo("capacity_exhausted"));
        api().header("X-User-ID", next).body(Map.of("vcpus", 1, "memory_mb", 64)).post("/sandboxes/admission")
                .then().statusCode(200).body("allowed", is(false)).body("reason", containsString("room"));
        assertNothingCreatedFor(next);
        JsonPath still = worker();
        assertEquals(full.getLong("used.vcpus"), still.getLong("used.vcpus"));
        // destroying one makes room again
        String[] first = created.remove(0);
        api().header("X-User-ID", first[1]).delete("/sandboxes/{id}", first[0]).then().statusCode(200);
        String id = create(next, Map.of("vcpus", 1, "memory_mb", 64, "ttl", "5m")).then().statusCode(201)
                .extract().path("id");
        assertNotNull(id);
        assertTrue(worker().getLong("used.vcpus") <= full.getLong("host.vcpus"));
        api().get("/workers").then().statusCode(200).body("size()", greaterThan(0))
                .body("find { it.id == '" + Suite.WORKER_ID + "' }.used.vcpus", greaterThanOrEqualTo(1));
    }
    @Test
    void placementNeverGivesOutMoreMemoryThanTheHostHolds() {
        JsonPath before = worker();
        long room = before.getLong("host.memory_mb") - before.getLong("used.memory_mb");
        // the largest sandbox the gateway allows; each by its own end user, so no quota stops it
        int size = 8192;
        long fits = room / size;
        assertTrue(fits >= 1 && fits <= 4, "the test host holds a few of the largest sandboxes: " + before.prettify());
        for (int i = 0; i < fits; i++) {
            create(prefix + "-mem-" + i, Map.of("memory_mb", size, "pids_limit", 32, "ttl", "5m")).then().statusCode(201);
        }
        String next = prefix + "-mem-next";
        create(next, Map.of("memory_mb", size, "pids_limit", 32, "ttl", "5m")).then().statusCode(429)
                .header("Retry-After", notNullValue())
                .body("code", equalTo("capacity_exhausted"))
                .body("message", containsString("MiB"));
        assertNothingCreatedFor(next);
        JsonPath full = worker();
        assertTrue(full.getLong("used.memory_mb") <= full.getLong("host.memory_mb"), full.prettify());
    }
}
