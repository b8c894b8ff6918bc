package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint of the public API against every kind of caller: no credentials, a wrong key,
 * another owner, a viewer, an administrator. The answers are 401, 404 (another owner's things do
 * not exist for them) and 403 as the design says, and no answer to anyone but the owner and the
 * administrator carries a byte of the owner's sandbox, files, exec output or audit records.
 */
class AccessMatrixTest {

    private static final String SECRET = "matrix-secret-" + UUID.randomUUID();
    private static final String TENANT = "matrix-" + UUID.randomUUID().toString().substring(0, 6);
    private static final String OWNER = TENANT + ":app";
    private static final String TEMPLATE = "tpl-" + UUID.randomUUID().toString().substring(0, 6);
    private static final List<String> KEY_IDS = new ArrayList<>();
    private static String ownerKey;
    private static String viewerKey;
    private static String otherOwnerKey;
    private static String sandboxId;
    private static String specId;
    private static String buildId;

    /** What an endpoint reaches: one owner's sandbox or template, the caller's own collection, or operations. */
    enum Reach { OWNED, OWN_COLLECTION, ADMIN, OPERATOR }

    record Call(String method, String path, Object body, Reach reach) {
        boolean reads() {
            return method.equals("GET");
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private static List<Call> calls() {
        String sb = "/sandboxes/" + sandboxId;
        String file = "?path=/workspace/secret.txt";
        return List.of(
                new Call("GET", sb, null, Reach.OWNED),
                new Call("POST", sb + "/extend", Map.of("ttl", "1m"), Reach.OWNED),
                new Call("PUT", sb + "/network", Map.of("default_egress", "deny"), Reach.OWNED),
                new Call("POST", sb + "/exec", Map.of("command", "cat", "args", List.of("/workspace/secret.txt")), Reach.OWNED),
                new Call("POST", sb + "/exec", Map.of("command", "cat", "args", List.of("/workspace/secret.txt"), "stream", true), Reach.OWNED),
                new Call("GET", sb + "/logs?lines=10", null, Reach.OWNED),
                new Call("GET", sb + "/stats", null, Reach.OWNED),
                new Call("POST", sb + "/exec/ws/token", null, Reach.OWNED),
                new Call("POST", sb + "/exec", Map.of("command", "cat /workspace/secret.txt; sleep 30", "background", true), Reach.OWNED),
                new Call("GET", sb + "/exec/background", null, Reach.OWNED),
                new Call("GET", sb + "/exec/background/bg-000000000000", null, Reach.OWNED),
                new Call("GET", sb + "/exec/background/bg-000000000000/output?follow=true", null, Reach.OWNED),
                new Call("POST", sb + "/exec/background/bg-000000000000/signal", Map.of("signal", "TERM"), Reach.OWNED),
                new Call("DELETE", sb + "/exec/background/bg-000000000000", null, Reach.OWNED),
                new Call("POST", sb + "/files", Map.of("path", "/workspace/other.txt", "content", "x"), Reach.OWNED),
                new Call("GET", sb + "/files" + file, null, Reach.OWNED),
                new Call("GET", sb + "/files/list?path=/workspace", null, Reach.OWNED),
                new Call("GET", sb + "/files/stat" + file, null, Reach.OWNED),
                new Call("GET", sb + "/files/glob?pattern=/workspace/**", null, Reach.OWNED),
                new Call("POST", sb + "/files/move", Map.of("old_path", "/workspace/other.txt", "new_path", "/workspace/moved.txt"), Reach.OWNED),
                new Call("POST", sb + "/files/chmod", Map.of("path", "/workspace/moved.txt", "mode", "600"), Reach.OWNED),
                new Call("GET", sb + "/files/archive?path=/workspace", null, Reach.OWNED),
                new Call("PUT", sb + "/files/archive?path=/workspace/in", new byte[1024], Reach.OWNED),
                new Call("DELETE", sb + "/files?path=/workspace/moved.txt", null, Reach.OWNED),
                new Call("GET", "/templates/" + TEMPLATE, null, Reach.OWNED),
                new Call("PUT", "/templates/" + TEMPLATE, Map.of("name", TEMPLATE, "ttl", "2m"), Reach.OWNED),
                new Call("POST", "/templates/" + TEMPLATE + "/spawn", Map.of(), Reach.OWNED),
                new Call("DELETE", "/templates/" + TEMPLATE, null, Reach.OWNED),
                new Call("GET", "/whoami", null, Reach.OWN_COLLECTION),
                new Call("GET", "/sandboxes", null, Reach.OWN_COLLECTION),
                new Call("POST", "/sandboxes", Map.of("image", "not a valid image!"), Reach.OWN_COLLECTION),
                new Call("POST", "/sandboxes/admission", Map.of(), Reach.OWN_COLLECTION),
                new Call("DELETE", "/sandboxes", null, Reach.OWN_COLLECTION),
                new Call("GET", "/environments/specs/" + specId, null, Reach.OWNED),
                new Call("GET", "/environments/builds/" + buildId, null, Reach.OWNED),
                new Call("GET", "/environments/builds/" + buildId + "/logs", null, Reach.OWNED),
                new Call("GET", "/environments/builds/" + buildId + "/spawn-config", null, Reach.OWNED),
                new Call("POST", "/environments/builds/" + buildId + "/cancel", null, Reach.OWNED),
                new Call("DELETE", "/environments/specs/" + specId, null, Reach.OWNED),
                new Call("DELETE", "/environments/builds/" + buildId, null, Reach.OWNED),
                new Call("GET", "/environments/specs", null, Reach.OWN_COLLECTION),
                new Call("POST", "/environments/specs", Map.of("name", ""), Reach.OWN_COLLECTION),
                new Call("GET", "/environments/builds", null, Reach.OWN_COLLECTION),
                new Call("POST", "/environments/builds", Map.of("spec_id", ""), Reach.OWN_COLLECTION),
                new Call("POST", "/environments/builds", new byte[1024], Reach.OWN_COLLECTION),
                new Call("GET", "/templates", null, Reach.OWN_COLLECTION),
                new Call("POST", "/templates", Map.of("name", ""), Reach.OWN_COLLECTION),
                new Call("GET", "/providers", null, Reach.OWN_COLLECTION),
                new Call("GET", "/providers/docker", null, Reach.OWN_COLLECTION),
                new Call("POST", "/providers/test", Map.of("name", "docker"), Reach.OWN_COLLECTION),
                new Call("GET", "/workers", null, Reach.OPERATOR),
                new Call("GET", "/environments/registry-connections", null, Reach.OWN_COLLECTION),
                new Call("POST", "/environments/registry-connections", Map.of(), Reach.OWN_COLLECTION),
                new Call("DELETE", "/environments/registry-connections/rc_0000000000000000", null, Reach.OWN_COLLECTION),
                new Call("GET", "/images", null, Reach.ADMIN),
                new Call("DELETE", "/images/stacyvm-never-held:1", null, Reach.ADMIN),
                new Call("POST", "/images/prune", Map.of("unused_for", "87600h"), Reach.ADMIN),
                new Call("GET", "/workers/" + Suite.WORKER_ID, null, Reach.OPERATOR),
                new Call("GET", "/workers/" + Suite.WORKER_ID + "/credentials", null, Reach.ADMIN),
                new Call("DELETE", "/workers/" + Suite.WORKER_ID + "/credentials/wcr_does_not_exist", null, Reach.ADMIN),
                new Call("PUT", "/tenants/" + TENANT + "/network-policy", Map.of("default_egress", "deny"), Reach.ADMIN),
                new Call("GET", "/tenants/" + TENANT + "/network-policy", null, Reach.ADMIN),
                new Call("DELETE", "/tenants/" + TENANT + "/network-policy", null, Reach.ADMIN),
                new Call("PUT", "/tenants/" + TENANT + "/image-policy", Map.of("deny", List.of("x/never:1")), Reach.ADMIN),
                new Call("GET", "/tenants/" + TENANT + "/image-policy", null, Reach.ADMIN),
                new Call("DELETE", "/tenants/" + TENANT + "/image-policy", null, Reach.ADMIN),
                new Call("GET", "/quotas", null, Reach.ADMIN),
                new Call("GET", "/quotas/summary", null, Reach.ADMIN),
                new Call("GET", "/metrics", null, Reach.ADMIN),
                new Call("GET", "/diagnostics", null, Reach.ADMIN),
                new Call("GET", "/quotas/overview", null, Reach.ADMIN),
                new Call("GET", "/pool/status", null, Reach.OWN_COLLECTION),
                new Call("GET", "/quotas/" + OWNER, null, Reach.ADMIN),
                new Call("PUT", "/quotas/" + OWNER, Map.of("max_sandboxes", 3), Reach.ADMIN),
                new Call("GET", "/quotas/" + OWNER + "/usage", null, Reach.ADMIN),
                new Call("DELETE", "/quotas/" + OWNER, null, Reach.ADMIN),
                new Call("GET", "/admin/api-keys", null, Reach.ADMIN),
                new Call("POST", "/admin/api-keys", Map.of("name", ""), Reach.ADMIN),
                new Call("DELETE", "/admin/api-keys/key_does_not_exist", null, Reach.ADMIN),
                new Call("GET", "/admin/audit?target=" + sandboxId, null, Reach.ADMIN),
                new Call("GET", "/admin/audit?target=" + sandboxId + "&format=csv", null, Reach.ADMIN),
                new Call("GET", "/admin/audit/verify", null, Reach.ADMIN));
    }

    private static String createKey(String name, String tenant, String role) {
        Response created = api().body(Map.of("name", name, "tenant", tenant, "role", role)).post("/admin/api-keys");
        created.then().statusCode(201).body("key", startsWith("svm_"));
        KEY_IDS.add(created.path("id"));
        return created.path("key");
    }

    private static RequestSpecification as(String key) {
        RequestSpecification request = RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").log().ifValidationFails();
        return key == null ? request : request.header("X-API-Key", key);
    }

    private static Response send(String key, Call call) {
        RequestSpecification request = as(key);
        if (call.body() instanceof byte[] bytes) {
            request = request.contentType("application/x-tar").body(bytes);
        } else if (call.body() != null) {
            request = request.contentType(ContentType.JSON).body(call.body());
        }
        return request.request(call.method(), call.path());
    }

    @BeforeAll
    static void anOwnerWithASandboxAFileAndATemplate() {
        ownerKey = createKey("app", TENANT, "user");
        viewerKey = createKey("dashboard", TENANT, "viewer");
        otherOwnerKey = createKey("intruder", "other-" + TENANT, "user");
        sandboxId = as(ownerKey).contentType(ContentType.JSON).body(Map.of("ttl", "10m")).post("/sandboxes")
                .then().statusCode(201).body("owner_id", equalTo(OWNER)).extract().path("id");
        as(ownerKey).contentType(ContentType.JSON).body(Map.of("path", "/workspace/secret.txt", "content", SECRET))
                .post("/sandboxes/{id}/files", sandboxId).then().statusCode(200);
        as(ownerKey).contentType(ContentType.JSON).body(Map.of("name", TEMPLATE, "ttl", "1m", "metadata", Map.of("note", SECRET)))
                .post("/templates").then().statusCode(201);
        // a spec with nothing to install and its build: the sandbox, committed as it is
        specId = as(ownerKey).contentType(ContentType.JSON).body(Map.of("name", TEMPLATE, "base_image",
                "stacyvm/base:bookworm")).post("/environments/specs").then().statusCode(201).extract().path("id");
        buildId = as(ownerKey).contentType(ContentType.JSON).body(Map.of("spec_id", specId)).post("/environments/builds")
                .then().statusCode(201).extract().path("id");
    }

    @AfterAll
    static void cleanUp() {
        if (sandboxId != null) {
            api().delete("/sandboxes/{id}", sandboxId);
        }
        as(ownerKey).delete("/templates/{name}", TEMPLATE);
        for (String id : KEY_IDS) {
            api().delete("/admin/api-keys/{id}", id);
        }
    }

    @Test
    void withoutCredentialsOrWithAWrongKeyEveryEndpointIs401() {
        for (Call call : calls()) {
            for (String key : new String[] {null, "svm_" + "0".repeat(64), ""}) {
                Response answer = send(key, call);
                assertEquals(401, answer.statusCode(), call + " with key " + key + ": " + answer.asString());
                assertEquals("unauthorized", answer.path("code"), call.toString());
                assertNoLeak(call, answer);
            }
        }
    }

    @Test
    void anotherOwnerFindsNothingOfTheOwnersAndNoOperations() {
        for (Call call : calls()) {
            Response answer = send(otherOwnerKey, call);
            int expected = switch (call.reach()) {
                case OWNED -> 404;
                case ADMIN, OPERATOR -> 403;
                case OWN_COLLECTION -> answer.statusCode();
            };
            assertEquals(expected, answer.statusCode(), call + ": " + answer.asString());
            if (call.reach() == Reach.OWN_COLLECTION) {
                assertTrue(answer.statusCode() < 500 && answer.statusCode() != 401 && answer.statusCode() != 403,
                        call + " is open to any user for their own things: " + answer.statusCode());
            }
            assertNoLeak(call, answer);
        }
        ownerStillHasEverything();
    }

    @Test
    void aViewerOnlyReadsAndStillOnlyTheirOwn() {
        for (Call call : calls()) {
            Response answer = send(viewerKey, call);
            int expected;
            if (call.reach() == Reach.ADMIN || call.reach() == Reach.OPERATOR || !call.reads()) {
                expected = 403;
            } else if (call.reach() == Reach.OWNED) {
                expected = 404; // the viewer key is an owner of its own, not the app's
            } else {
                expected = 200;
            }
            assertEquals(expected, answer.statusCode(), call + ": " + answer.asString());
            assertNoLeak(call, answer);
        }
        ownerStillHasEverything();
    }

    @Test
    void anAdministratorReachesEveryEndpoint() {
        for (Call call : calls()) {
            Response answer = send(Suite.API_KEY, call);
            assertFalse(answer.statusCode() == 401 || answer.statusCode() == 403 || answer.statusCode() >= 500,
                    call + ": " + answer.statusCode() + " " + answer.asString());
        }
        api().get("/sandboxes/{id}", sandboxId).then().statusCode(200).body("owner_id", equalTo(OWNER));
        assertTrue(api().get("/sandboxes/{id}/files?path=/workspace/secret.txt", sandboxId).asString().contains(SECRET));
    }

    /** Nothing of the owner's reached a caller who is not the owner. */
    private static void assertNoLeak(Call call, Response answer) {
        String body = answer.asString();
        assertFalse(body.contains(SECRET), call + " leaked the owner's secret: " + body);
        assertFalse(body.contains(OWNER), call + " leaked the owner's id: " + body);
        if (!call.path().contains(sandboxId)) {
            assertFalse(body.contains(sandboxId), call + " leaked the owner's sandbox id: " + body);
        }
    }

    private static void ownerStillHasEverything() {
        as(ownerKey).get("/sandboxes/{id}", sandboxId).then().statusCode(200).body("state", equalTo("running"));
        assertEquals(SECRET, as(ownerKey).get("/sandboxes/{id}/files?path=/workspace/secret.txt", sandboxId).asString());
        as(ownerKey).get("/templates/{name}", TEMPLATE).then().statusCode(200);
    }
}
