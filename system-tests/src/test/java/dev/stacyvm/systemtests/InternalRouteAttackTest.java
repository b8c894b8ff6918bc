package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.systemtests.PathSpellings.Route;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, finding 1: authorisation is decided on the route the router matched, so no spelling
 * of a path (matrix parameters, percent-encoding, dot segments, doubled slashes, case) reaches an
 * internal route without the service token, or a gateway route a key's role does not allow.
 * Every route attacked would answer 2xx to a rightful caller (checked first), so a refusal is
 * the check at work and not a 404 of a route that does not exist.
 */
class InternalRouteAttackTest {

    private static final String TENANT = "attack13";
    private static final String MARKER = "/tmp/stacyvm-attack-marker";
    /** What an attacker sends to exec: it leaves a mark in the sandbox if it ever runs. */
    private static final String ATTACK_EXEC = "{\"command\": \"touch " + MARKER + "\"}";
    /** What the rightful caller sends to the same route. */
    private static final String RIGHTFUL_EXEC = "{\"command\": \"true\"}";
    private static final List<String> KEY_IDS = new ArrayList<>();
    private static String sandboxId;
    private static String userKey;
    private static String viewerKey;
    private static String operatorKey;

    private static String createKey(String name, String role) {
        var created = api().body(Map.of("name", name, "tenant", TENANT, "role", role)).post("/admin/api-keys");
        created.then().statusCode(201);
        KEY_IDS.add(created.path("id"));
        return created.path("key");
    }

    private static RequestSpecification as(String key) {
        return RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").header("X-API-Key", key)
                .contentType(ContentType.JSON).log().ifValidationFails();
    }

    @BeforeAll
    static void aSandboxAndKeys() {
        sandboxId = api().body(Map.of("ttl", "10m")).post("/sandboxes").then().statusCode(201).extract().path("id");
        userKey = createKey("attack-user", "user");
        viewerKey = createKey("attack-viewer", "viewer");
        operatorKey = createKey("attack-operator", "operator");
    }

    @AfterAll
    static void cleanUp() {
        if (sandboxId != null) {
            api().delete("/sandboxes/{id}", sandboxId);
        }
        for (String id : KEY_IDS) {
            api().delete("/admin/api-keys/{id}", id);
        }
    }

    private static String schedulerUrl() {
        return "http://127.0.0.1:" + Suite.SCHEDULER_PORT;
    }

    private static String auditUrl() {
        return "http://127.0.0.1:" + Suite.AUDIT_PORT;
    }

    /** Every internal route of every service, each with a request that succeeds for the control plane. */
    private static Map<String, List<Route>> internalRoutes() {
        String exec = ATTACK_EXEC;
        return Map.of(
                Suite.WORKER_URL, List.of(
                        Route.get("/internal/sandboxes"),
                        Route.post("/internal/sandboxes/" + sandboxId + "/exec", exec),
                        Route.post("/internal/sandboxes/" + sandboxId + "/exec/stream", exec),
                        Route.get("/internal/sandboxes/" + sandboxId + "/logs"),
                        Route.get("/internal/sandboxes/" + sandboxId + "/files/list?path=/tmp"),
                        Route.get("/internal/sandboxes/" + sandboxId + "/files/stat?path=/tmp"),
                        Route.get("/internal/providers"),
                        Route.get("/internal/warm-pool")),
                schedulerUrl(), List.of(
                        Route.get("/internal/sandboxes"),
                        Route.get("/internal/sandboxes/" + sandboxId),
                        Route.post("/internal/sandboxes/prune?owner=" + TENANT + ":nobody", null),
                        Route.get("/internal/capacity"),
                        Route.get("/internal/usage"),
                        Route.get("/internal/workers"),
                        Route.get("/internal/workers/" + Suite.WORKER_ID),
                        Route.get("/internal/workers/" + Suite.WORKER_ID + "/credentials")),
                auditUrl(), List.of(
                        Route.get("/internal/audit?limit=1"),
                        Route.get("/internal/audit/verify")));
    }

    @Test
    void internalRoutesRefuseEverySpellingWithoutTheServiceToken() throws Exception {
        int attempts = 0;
        List<String> admitted = new ArrayList<>();
        for (var service : internalRoutes().entrySet()) {
            for (Route route : service.getValue()) {
                // the control plane gets through: the route is real and the attack below would succeed
                HttpResponse<String> rightful = PathSpellings.send(service.getKey(), route.method(), route.path(),
                        Map.of("X-Service-Token", Suite.SERVICE_TOKEN),
                        ATTACK_EXEC.equals(route.body()) ? RIGHTFUL_EXEC : route.body());
                assertTrue(rightful.statusCode() / 100 == 2, route + " on " + service.getKey()
                        + " with the service token answered " + rightful.statusCode() + " " + rightful.body());
                List<String> spellings = PathSpellings.of(route.path());
                assertTrue(spellings.size() >= 20, "at least 20 spellings of " + route);
                for (String spelling : spellings) {
                    for (Map<String, String> headers : List.of(Map.<String, String>of(),
                            Map.of("X-Service-Token", "wrong-" + Suite.SERVICE_TOKEN),
                            Map.of("X-Service-Token", ""),
                            Map.of("X-Worker-Credential", "swc_forged"))) {
                        HttpResponse<String> answer = PathSpellings.send(service.getKey(), route.method(), spelling,
                                headers, route.body());
                        attempts++;
                        if (answer.statusCode() / 100 == 2) {
                            admitted.add(route.method() + " " + service.getKey() + spelling + " " + headers.keySet()
                                    + " -> " + answer.statusCode());
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), admitted, "internal routes admitted callers without the service token");
        assertTrue(attempts >= 18 * 20 * 2, "every route was tried in every spelling: " + attempts);
        // no refused exec ran
        api().body(Map.of("command", "test -e " + MARKER)).post("/sandboxes/{id}/exec", sandboxId).then()
                .statusCode(200).body("exit_code", equalTo(1));
    }

    @Test
    void gatewayRoutesRefuseEverySpellingToARoleThatMayNotCallThem() throws Exception {
        String exec = "{\"command\": \"true\"}";
        // admin-only and operator-only routes, and the roles each refuses; the admin key may call them
        Map<Route, List<String>> refusedKeys = new java.util.LinkedHashMap<>();
        Map<Route, String> rightfulKey = new java.util.HashMap<>();
        refusedKeys.put(Route.get("/api/v1/admin/api-keys"), List.of(userKey, viewerKey, operatorKey));
        refusedKeys.put(Route.get("/api/v1/admin/audit?limit=1"), List.of(userKey, viewerKey, operatorKey));
        refusedKeys.put(Route.get("/api/v1/admin/audit/verify"), List.of(userKey, viewerKey, operatorKey));
        refusedKeys.put(Route.get("/api/v1/quotas"), List.of(userKey, viewerKey, operatorKey));
        refusedKeys.put(Route.get("/api/v1/workers"), List.of(userKey, viewerKey));
        refusedKeys.put(Route.get("/api/v1/workers/" + Suite.WORKER_ID), List.of(userKey, viewerKey));
        refusedKeys.put(Route.get("/api/v1/workers/" + Suite.WORKER_ID + "/credentials"), List.of(userKey, viewerKey, operatorKey));
        // a viewer's writes, on a sandbox of its own tenant
        String viewersSandbox = as(userKey).body(Map.of("ttl", "10m")).post("/sandboxes").then().statusCode(201)
                .extract().path("id");
        try {
            refusedKeys.put(Route.post("/api/v1/sandboxes/" + viewersSandbox + "/exec", exec), List.of(viewerKey));
            refusedKeys.put(Route.post("/api/v1/sandboxes/" + viewersSandbox + "/files",
                    "{\"path\": \"/tmp/x\", \"content\": \"x\"}"), List.of(viewerKey));
            refusedKeys.put(Route.post("/api/v1/sandboxes/" + viewersSandbox + "/extend", "{\"ttl\": \"5m\"}"), List.of(viewerKey));
            // the sandbox's own user may write to it
            refusedKeys.keySet().stream().filter(route -> route.path().contains(viewersSandbox))
                    .forEach(route -> rightfulKey.put(route, userKey));
            List<String> admitted = new ArrayList<>();
            int attempts = 0;
            for (var entry : refusedKeys.entrySet()) {
                Route route = entry.getKey();
                HttpResponse<String> rightful = PathSpellings.send(Suite.URL, route.method(), route.path(),
                        Map.of("X-API-Key", rightfulKey.getOrDefault(route, Suite.API_KEY)), route.body());
                assertTrue(rightful.statusCode() / 100 == 2, route + " as its rightful caller answered " + rightful.statusCode()
                        + " " + rightful.body());
                for (String spelling : PathSpellings.of(route.path())) {
                    for (String key : entry.getValue()) {
                        HttpResponse<String> answer = PathSpellings.send(Suite.URL, route.method(), spelling,
                                Map.of("X-API-Key", key), route.body());
                        attempts++;
                        if (answer.statusCode() / 100 == 2) {
                            admitted.add(route.method() + " " + spelling + " as " + (key.equals(userKey) ? "user"
                                    : key.equals(viewerKey) ? "viewer" : "operator") + " -> " + answer.statusCode());
                        }
                    }
                }
            }
            assertEquals(List.of(), admitted, "gateway routes admitted a role that may not call them");
            assertTrue(attempts >= refusedKeys.size() * 20, "every route was tried in every spelling: " + attempts);
        } finally {
            api().delete("/sandboxes/{id}", viewersSandbox);
        }
    }
}
