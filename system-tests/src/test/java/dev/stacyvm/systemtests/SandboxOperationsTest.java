package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.anonymous;
import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rest of the sandbox table: extend, prune, TTL, logs, providers, workers, health. */
class SandboxOperationsTest {

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    @AfterEach
    void destroyLeftovers() {
        sandboxes.close();
    }

    private static Instant expiresAt(String id) {
        return Instant.parse(api().get("/sandboxes/{id}", id).then().statusCode(200).extract().path("expires_at"));
    }

    private static void assertNear(Instant expected, Instant actual, Duration tolerance) {
        assertTrue(Duration.between(expected, actual).abs().compareTo(tolerance) <= 0,
                "expected about " + expected + " but was " + actual);
    }

    @Test
    void extendPushesTheExpiryBackAndIsCappedByTheMaximumTtl() {
        String id = sandboxes.create(Map.of("ttl", "10m"));
        Instant before = expiresAt(id);
        api().body(Map.of("ttl", "5m")).post("/sandboxes/{id}/extend", id).then().statusCode(200)
                .body("id", equalTo(id)).body("state", equalTo("running"));
        assertNear(before.plus(Duration.ofMinutes(5)), expiresAt(id), Duration.ofSeconds(1));

        api().body(Map.of("ttl", "1000h")).post("/sandboxes/{id}/extend", id).then().statusCode(200);
        assertNear(Instant.now().plus(Duration.ofHours(24)), expiresAt(id), Duration.ofSeconds(30));
    }

    /**
     * The gateway remembers a running sandbox for a second (RunningViews); a sandbox destroyed
     * behind its back in that second (by the scheduler, as the TTL reaper or another gateway does)
     * still runs no command and takes no file: both are answered not_found, as before.
     */
    @Test
    void aSandboxDestroyedBehindTheGatewaysBackRunsNoCommandEvenWithinTheSecondItIsRemembered() {
        String id = sandboxes.create(Map.of());
        api().body(Map.of("command", "true")).post("/sandboxes/{id}/exec", id).then().statusCode(200);
        io.restassured.RestAssured.given().baseUri("http://127.0.0.1:" + Suite.SCHEDULER_PORT)
                .header("X-Service-Token", Suite.SERVICE_TOKEN)
                .delete("/internal/sandboxes/{id}", id).then().statusCode(200);

        api().body(Map.of("command", "touch /workspace/ran")).post("/sandboxes/{id}/exec", id)
                .then().statusCode(404).body("code", equalTo("not_found"));
        api().body(Map.of("path", "/workspace/written", "content", "x")).post("/sandboxes/{id}/files", id)
                .then().statusCode(404).body("code", equalTo("not_found"));
    }

    @Test
    void extendRefusesBadTtlsAndUnknownSandboxes() {
        String id = sandboxes.create(Map.of());
        api().body(Map.of("ttl", "eventually")).post("/sandboxes/{id}/extend", id).then().statusCode(400)
                .body("code", equalTo("bad_request")).body("message", containsString("ttl"));
        api().body(Map.of()).post("/sandboxes/{id}/extend", id).then().statusCode(400).body("code", equalTo("bad_request"));
        api().body(Map.of("ttl", "5m")).post("/sandboxes/sb-00000000dead/extend").then().statusCode(404)
                .body("code", equalTo("not_found"));
    }

    @Test
    void anExpiredSandboxIsDestroyedWithItsContainer() throws InterruptedException {
        String id = sandboxes.create(Map.of("ttl", "2s"));
        int status = 200;
        // the expiry sweep runs every 2 s; a slow engine may take seconds to remove the container
        for (int attempt = 0; attempt < 120 && status == 200; attempt++) {
            Thread.sleep(500);
            status = api().get("/sandboxes/{id}", id).statusCode();
        }
        assertTrue(status == 404, "the sandbox is gone within 60 s of its expiry");
        assertTrue(Suite.containersOf(id).isEmpty(), "its container is removed");
    }

    @Test
    void pruneDestroysExpiredSandboxesAndLeavesLiveOnesAlone() throws InterruptedException {
        String live = sandboxes.create(Map.of("ttl", "10m"));
        String expiring = sandboxes.create(Map.of("ttl", "1s"));
        Thread.sleep(1100);
        api().delete("/sandboxes").then().statusCode(200).body("pruned", greaterThanOrEqualTo(0));
        // prune and the expiry sweep race for it; either way it no longer runs once prune has
        // answered, and it is gone when its container is (seconds on a loaded host)
        Response afterPrune = api().get("/sandboxes/{id}", expiring);
        assertTrue(afterPrune.statusCode() == 404 || !"running".equals(afterPrune.path("state")),
                "the expired sandbox no longer runs: " + afterPrune.asString());
        int status = afterPrune.statusCode();
        for (int attempt = 0; attempt < 120 && status != 404; attempt++) {
            Thread.sleep(250);
            status = api().get("/sandboxes/{id}", expiring).statusCode();
        }
        assertTrue(status == 404, "the expired sandbox is gone within 30 s");
        api().get("/sandboxes/{id}", live).then().statusCode(200).body("state", equalTo("running"));
    }

    @Test
    void logsShowWhatTheSandboxWrote() {
        String id = sandboxes.create(Map.of());
        // the main process (the init, pid 1) runs as the sandbox's user: what reaches its stdout is its log
        api().body(Map.of("command", "echo \"written to the log of $STACYVM_SANDBOX_ID\" > /proc/1/fd/1"))
                .post("/sandboxes/{id}/exec", id).then().statusCode(200).body("exit_code", equalTo(0));
        List<String> lines = api().get("/sandboxes/{id}/logs?lines=10", id).then().statusCode(200)
                .extract().jsonPath().getList("$", String.class);
        assertTrue(lines.contains("stacyvm: sandbox started"), lines.toString());
        assertTrue(lines.contains("written to the log of " + id), lines.toString());
        api().get("/sandboxes/{id}/logs?lines=0", id).then().statusCode(400).body("code", equalTo("bad_request"));
        api().get("/sandboxes/sb-00000000dead/logs").then().statusCode(404).body("code", equalTo("not_found"));
    }

    @Test
    void providersReportDockerAsHealthyAndDefault() {
        api().get("/providers").then().statusCode(200)
                .body("find { it.name == 'docker' }.healthy", is(true))
                .body("find { it.name == 'docker' }.default", is(true))
                .body("find { it.name == 'docker' }.capabilities", hasItem("exec"));
        api().get("/providers/docker").then().statusCode(200).body("name", equalTo("docker")).body("healthy", is(true));
        api().get("/providers/firecracker").then().statusCode(404).body("code", equalTo("not_found"));
        // StacyVM's shape: each provider by name, healthy or not
        api().post("/providers/test").then().statusCode(200).body("docker", is(true));
    }

    @Test
    void workersAreListedWithTheirHeartbeat() {
        api().get("/workers").then().statusCode(200)
                .body("find { it.id == '" + Suite.WORKER_ID + "' }.status", equalTo("ready"))
                .body("find { it.id == '" + Suite.WORKER_ID + "' }.last_heartbeat", notNullValue());
        api().get("/workers/{id}", Suite.WORKER_ID).then().statusCode(200)
                .body("capacity", greaterThanOrEqualTo(1))
                .body("providers", hasItem("docker"));
        api().get("/workers/no-such-worker").then().statusCode(404).body("code", equalTo("not_found"));
    }

    @Test
    void healthAndMetricsAnswerWithoutAKey() {
        // StacyVM's shape: its SDKs compare status with "ok"; the checks behind it come along
        anonymous().get("/health").then().statusCode(200).body("status", equalTo("ok"))
                .body("version", org.hamcrest.Matchers.not(org.hamcrest.Matchers.emptyOrNullString()))
                .body("uptime", org.hamcrest.Matchers.matchesPattern("(\\d+h)?(\\d+m)?\\d+s"))
                .body("checks.name", hasItem(containsString("Database")));
        anonymous().get("/live").then().statusCode(200).body("status", equalTo("UP"));
        anonymous().get("/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("Database")));
        anonymous().get("/metrics/prometheus").then().statusCode(200).body(containsString("jvm_"));
    }

    @Test
    void theOpenApiDocumentDescribesEveryRouteWithExamples() {
        io.restassured.path.json.JsonPath document = io.restassured.RestAssured.given().baseUri(Suite.URL)
                .queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().jsonPath();
        Map<String, Object> paths = document.getMap("paths");
        for (String route : List.of("/api/v1/sandboxes", "/api/v1/sandboxes/{id}", "/api/v1/sandboxes/{id}/exec",
                "/api/v1/sandboxes/{id}/extend", "/api/v1/sandboxes/{id}/logs", "/api/v1/sandboxes/admission",
                "/api/v1/sandboxes/{id}/files", "/api/v1/sandboxes/{id}/files/list", "/api/v1/sandboxes/{id}/files/stat",
                "/api/v1/sandboxes/{id}/files/move", "/api/v1/sandboxes/{id}/files/chmod", "/api/v1/sandboxes/{id}/files/glob",
                "/api/v1/sandboxes/{id}/files/archive", "/api/v1/templates", "/api/v1/templates/{name}",
                "/api/v1/templates/{name}/spawn", "/api/v1/providers", "/api/v1/providers/{name}", "/api/v1/providers/test",
                "/api/v1/workers", "/api/v1/workers/{id}", "/api/v1/admin/audit", "/api/v1/health", "/api/v1/ready")) {
            assertTrue(paths.containsKey(route), "the document has " + route);
        }
        // an example's value is the JSON itself (an object) in the document
        assertTrue(String.valueOf((Object) document.get(
                "paths.'/api/v1/sandboxes/{id}/exec'.post.requestBody.content.'application/json'.examples.exec.value"))
                .contains("print(40+2)"));
        assertTrue(String.valueOf((Object) document.get(
                "paths.'/api/v1/sandboxes'.post.responses.'201'.content.'application/json'.examples.sandbox.value"))
                .contains("running"));
        assertTrue(document.getString("components.securitySchemes.apiKey.name").equals("X-API-Key"));
    }
}
