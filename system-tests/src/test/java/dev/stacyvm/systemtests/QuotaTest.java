package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Per-owner quotas through StacyVM's quota routes: defaults and overrides, every limit enforced
 * where it applies (atomically for creates), and the per-owner rate limit.
 */
class QuotaTest {

    private final String user = "quota-" + UUID.randomUUID().toString().substring(0, 8);
    /** The admin key's end user: it lives in the bootstrap administrator's namespace. */
    private final String owner = "default:bootstrap-admin:" + user;
    private final List<String> created = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        api().delete("/quotas/{owner}", owner);
        for (String id : created) {
            api().header("X-User-ID", user).delete("/sandboxes/{id}", id);
        }
    }

    private Response create(Map<String, Object> body) {
        Response response = api().header("X-User-ID", user).body(body).post("/sandboxes");
        if (response.statusCode() == 201) {
            created.add(response.path("id"));
        }
        return response;
    }

    @Test
    void anOverrideReplacesTheDefaultsItNamesUntilItIsDeleted() {
        api().get("/quotas/{owner}", owner).then().statusCode(200)
                .body("owner_id", equalTo(owner))
                .body("source", equalTo("default"))
                .body("max_ttl", equalTo("24h0m0s"))
                .body("max_exec_timeout", equalTo("1h0m0s"))
                .body("max_memory_mb", greaterThanOrEqualTo(1024));
        int defaultVcpus = api().get("/quotas/{owner}", owner).path("max_vcpus");

        api().body(Map.of("max_sandboxes", 3, "max_ttl", "2h", "max_memory_mb", 2048)).put("/quotas/{owner}", owner)
                .then().statusCode(200)
                .body("source", equalTo("override"))
                .body("max_sandboxes", equalTo(3))
                .body("max_ttl", equalTo("2h0m0s"))
                .body("max_memory_mb", equalTo(2048))
                .body("max_vcpus", equalTo(defaultVcpus))
                .body("max_exec_timeout", equalTo("1h0m0s"))
                .body("updated_at", notNullValue());
        api().get("/quotas/{owner}", owner).then().statusCode(200).body("max_sandboxes", equalTo(3));
        api().get("/quotas").then().statusCode(200).body("owner_id", hasItem(owner));
        api().get("/quotas/overview").then().statusCode(200)
                .body("defaults.source", equalTo("default"))
                .body("overrides", greaterThanOrEqualTo(1));
        // StacyVM's summary, field for field: its Python SDK unpacks it whole (QuotaSummary(**json))
        Map<String, Object> summary = api().get("/quotas/summary").then().statusCode(200).extract().jsonPath().getMap("");
        assertEquals(java.util.Set.of("total", "with_max_sandboxes", "with_max_ttl", "with_max_exec_timeout"), summary.keySet());
        assertTrue(((Number) summary.get("total")).intValue() >= 1, summary.toString());
        assertTrue(((Number) summary.get("with_max_sandboxes")).intValue() >= 1, summary.toString());
        api().header("X-User-ID", user).body(Map.of()).post("/sandboxes/admission").then().statusCode(200)
                .body("max_owner_sandboxes", equalTo(3))
                .body("max_ttl", equalTo("2h0m0s"));

        api().delete("/quotas/{owner}", owner).then().statusCode(200).body("status", equalTo("deleted"));
        api().get("/quotas/{owner}", owner).then().statusCode(200).body("source", equalTo("default"));
        api().get("/quotas").then().statusCode(200).body("owner_id", not(hasItem(owner)));
        api().delete("/quotas/{owner}", owner).then().statusCode(404).body("code", equalTo("not_found"));
    }

    @Test
    void badQuotasAreRefusedAndChangeNothing() {
        api().body(Map.of("max_sandboxes", 5)).put("/quotas/{owner}", owner).then().statusCode(200);
        api().body(Map.of("max_sandboxes", -1)).put("/quotas/{owner}", owner).then().statusCode(400)
                .body("code", equalTo("bad_request")).body("message", containsString("max_sandboxes"));
        api().body(Map.of("max_ttl", "forever")).put("/quotas/{owner}", owner).then().statusCode(400)
                .body("message", containsString("max_ttl"));
        api().body(Map.of("max_exec_timeout", "48h")).put("/quotas/{owner}", owner).then().statusCode(400)
                .body("message", containsString("max_exec_timeout"));
        api().body(Map.of("max_vcpus", "many")).put("/quotas/{owner}", owner).then().statusCode(400)
                .body("code", equalTo("bad_request"));
        api().body(Map.of("max_sandboxes", 1)).put("/quotas/{owner}", "no-tenant-part").then().statusCode(400)
                .body("message", containsString("tenant:key:user"));
        api().get("/quotas/{owner}", owner).then().statusCode(200).body("max_sandboxes", equalTo(5));
    }

    @Test
    void fiftyConcurrentCreatesAgainstALimitOfTenLeaveExactlyTen() throws Exception {
        api().body(Map.of("max_sandboxes", 10)).put("/quotas/{owner}", owner).then().statusCode(200);
        int attempts = 50;
        ExecutorService clients = Executors.newFixedThreadPool(attempts);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                answers.add(clients.submit(() -> {
                    start.await();
                    return api().header("X-User-ID", user).body(Map.of("memory_mb", 64)).post("/sandboxes");
                }));
            }
            start.countDown();
            int refused = 0;
            for (Future<Response> answer : answers) {
                Response response = answer.get(300, TimeUnit.SECONDS);
                if (response.statusCode() == 201) {
                    created.add(response.path("id"));
                } else {
                    assertEquals(429, response.statusCode(), response.asString());
                    assertEquals("resource_limit", response.path("code"));
                    assertTrue(response.header("Retry-After") != null, "a refused create says when to retry");
                    refused++;
                }
            }
            assertEquals(10, created.size(), "exactly max_sandboxes were created");
            assertEquals(40, refused);
        } finally {
            clients.shutdownNow();
        }
        assertEquals(10, api().header("X-User-ID", user).get("/sandboxes").then().statusCode(200)
                .extract().jsonPath().getList("$").size());
        api().get("/quotas/{owner}/usage", owner).then().statusCode(200)
                .body("active_sandboxes", equalTo(10))
                .body("max_sandboxes", equalTo(10))
                .body("memory_mb", equalTo(640));
        api().get("/quotas/overview").then().statusCode(200).body("owners.owner_id", hasItem(owner));
    }

    @Test
    void memoryAndVcpuTotalsBindAllOfAnOwnersSandboxes() {
        api().body(Map.of("max_memory_mb", 1024, "max_vcpus", 2)).put("/quotas/{owner}", owner).then().statusCode(200);
        create(Map.of("memory_mb", 512, "vcpus", 1)).then().statusCode(201);
        create(Map.of("memory_mb", 768, "vcpus", 1)).then().statusCode(429)
                .header("Retry-After", notNullValue())
                .body("code", equalTo("resource_limit"))
                .body("message", containsString("memory"));
        create(Map.of("memory_mb", 256, "vcpus", 2)).then().statusCode(429)
                .body("message", containsString("vCPUs"));
        // a sandbox bigger than the whole quota could never fit: waiting will not help
        create(Map.of("memory_mb", 2048, "vcpus", 1)).then().statusCode(429)
                .header("Retry-After", nullValue())
                .body("code", equalTo("resource_limit"));
        create(Map.of("memory_mb", 512, "vcpus", 1)).then().statusCode(201);
        api().get("/quotas/{owner}/usage", owner).then().statusCode(200)
                .body("memory_mb", equalTo(1024)).body("vcpus", equalTo(2)).body("active_sandboxes", equalTo(2));
    }

    @Test
    void theOwnersMaximumTtlAndExecTimeoutApply() {
        api().body(Map.of("max_ttl", "10m", "max_exec_timeout", "2s")).put("/quotas/{owner}", owner)
                .then().statusCode(200);
        Response sandbox = create(Map.of("ttl", "3h"));
        sandbox.then().statusCode(201);
        String id = sandbox.path("id");
        assertAbout(Duration.ofMinutes(10), Instant.parse(sandbox.path("created_at")), Instant.parse(sandbox.path("expires_at")));
        Instant extended = Instant.parse(api().header("X-User-ID", user).body(Map.of("ttl", "5h"))
                .post("/sandboxes/{id}/extend", id).then().statusCode(200).extract().path("expires_at"));
        assertAbout(Duration.ofMinutes(10), Instant.now(), extended);

        api().header("X-User-ID", user).body(Map.of("command", "true", "timeout", "10s"))
                .post("/sandboxes/{id}/exec", id).then().statusCode(429)
                .header("Retry-After", nullValue())
                .body("code", equalTo("resource_limit"))
                .body("message", containsString("max_exec_timeout"));
        // without a timeout, the default is held to the owner's maximum
        api().header("X-User-ID", user).body(Map.of("command", "sleep 8", "mode", "shell"))
                .post("/sandboxes/{id}/exec", id).then().statusCode(200)
                .body("timed_out", is(true));
    }

    @Test
    void theRateLimitCountsDownAndRefusesWithRetryAfter() {
        api().body(Map.of("requests_per_minute", 3)).put("/quotas/{owner}", owner).then().statusCode(200);
        for (int remaining = 2; remaining >= 0; remaining--) {
            api().header("X-User-ID", user).get("/sandboxes").then().statusCode(200)
                    .header("X-RateLimit-Limit", "3")
                    .header("X-RateLimit-Remaining", String.valueOf(remaining));
        }
        Response refused = api().header("X-User-ID", user).get("/sandboxes");
        refused.then().statusCode(429)
                .body("code", equalTo("resource_limit"))
                .body("message", containsString("rate limit"))
                .header("X-RateLimit-Limit", "3")
                .header("X-RateLimit-Remaining", "0");
        int retryAfter = Integer.parseInt(refused.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 20, "one request comes back every 20 s: " + retryAfter);
        // another owner of the same key is not held back, and carries no rate headers
        api().header("X-User-ID", user + "-other").get("/sandboxes").then().statusCode(200)
                .header("X-RateLimit-Limit", nullValue());
        api().delete("/quotas/{owner}", owner).then().statusCode(200);
        api().header("X-User-ID", user).get("/sandboxes").then().statusCode(200)
                .header("X-RateLimit-Limit", nullValue());
    }

    private static void assertAbout(Duration expected, Instant from, Instant to) {
        long seconds = Duration.between(from, to).toSeconds();
        assertTrue(Math.abs(seconds - expected.toSeconds()) <= 5, "expected about " + expected + ", got " + seconds + " s");
    }
}
