package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
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
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * API keys and who may do what: keys are shown once and can be revoked; an owner never sees
 * another owner's sandbox (404, so ids do not leak); viewers only read; administration needs admin.
 */
class AccessControlTest {

    private static final String SECRET = "only-the-owner-may-read-this";
    private static final String TENANT = "acme-" + UUID.randomUUID().toString().substring(0, 6);
    private static final String OTHER_TENANT = "globex-" + UUID.randomUUID().toString().substring(0, 6);
    private static final List<String> KEY_IDS = new ArrayList<>();
    private static String userKey;
    private static String viewerKey;
    private static String operatorKey;
    private static String strangerKey;
    private static String sandboxId;

    private static String createKey(String name, String tenant, String role) {
        Response created = api().body(Map.of("name", name, "tenant", tenant, "role", role)).post("/admin/api-keys");
        created.then().statusCode(201)
                .body("key", startsWith("svm_"))
                .body("tenant", equalTo(tenant))
                .body("role", equalTo(role));
        KEY_IDS.add(created.path("id"));
        return created.path("key");
    }

    private static RequestSpecification as(String key) {
        return RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").header("X-API-Key", key)
                .contentType(ContentType.JSON).log().ifValidationFails();
    }

    @BeforeAll
    static void keysAndASandbox() {
        userKey = createKey("app", TENANT, "user");
        viewerKey = createKey("dashboard", TENANT, "viewer");
        operatorKey = createKey("ops", TENANT, "operator");
        strangerKey = createKey("intruder", OTHER_TENANT, "user");
        sandboxId = as(userKey).body(Map.of()).post("/sandboxes").then().statusCode(201)
                .body("owner_id", equalTo(TENANT + ":app")).extract().path("id");
        as(userKey).body(Map.of("path", "/workspace/secret.txt", "content", SECRET))
                .post("/sandboxes/{id}/files", sandboxId).then().statusCode(200);
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

    @Test
    void keysAreShownOnceAndListedWithoutTheSecret() {
        api().get("/admin/api-keys").then().statusCode(200)
                .body("find { it.name == 'app' && it.tenant == '" + TENANT + "' }.key", nullValue())
                .body("find { it.name == 'app' && it.tenant == '" + TENANT + "' }.role", equalTo("user"));
        String body = api().get("/admin/api-keys").then().extract().asString();
        assertFalse(body.contains(userKey), "no listing ever shows a key");
    }

    @Test
    void whoamiNamesEachKeysTenantNameOwnerAndRoleAndNothingElse() {
        as(userKey).get("/whoami").then().statusCode(200)
                .body("tenant", equalTo(TENANT)).body("key_name", equalTo("app"))
                .body("owner_id", equalTo(TENANT + ":app")).body("role", equalTo("user"))
                .body("$", not(hasKey("key"))).body("$", not(hasKey("user_id")));
        as(viewerKey).get("/whoami").then().statusCode(200).body("role", equalTo("viewer")).body("key_name", equalTo("dashboard"));
        as(operatorKey).get("/whoami").then().statusCode(200).body("role", equalTo("operator"));
        api().get("/whoami").then().statusCode(200).body("role", equalTo("admin"));
        as(userKey).header("X-User-ID", "alice").get("/whoami").then().statusCode(200)
                .body("user_id", equalTo("alice")).body("owner_id", equalTo(TENANT + ":app:alice"));
        RestAssured.given().baseUri(Suite.URL).get("/api/v1/whoami").then().statusCode(401).body("code", equalTo("unauthorized"));
    }

    @Test
    void anotherOwnerSeesNothingOfTheSandbox() {
        String otherUserOfSameTenant = "someone-else";
        for (Function<RequestSpecification, Response> call : sandboxCalls()) {
            for (RequestSpecification intruder : List.of(as(strangerKey), as(userKey).header("X-User-ID", otherUserOfSameTenant))) {
                Response answer = call.apply(intruder);
                assertTrue(answer.statusCode() == 404, "another owner gets 404, got " + answer.statusCode()
                        + " " + answer.asString());
                assertFalse(answer.asString().contains(SECRET));
            }
        }
        as(strangerKey).get("/sandboxes").then().statusCode(200).body("id", not(hasItem(sandboxId)));
        as(userKey).get("/sandboxes/{id}/files?path=/workspace/secret.txt", sandboxId).then().statusCode(200)
                .body(equalTo(SECRET));
    }

    private static List<Function<RequestSpecification, Response>> sandboxCalls() {
        return List.of(
                r -> r.get("/sandboxes/{id}", sandboxId),
                r -> r.body(Map.of("command", "cat /workspace/secret.txt")).post("/sandboxes/{id}/exec", sandboxId),
                r -> r.get("/sandboxes/{id}/files?path=/workspace/secret.txt", sandboxId),
                r -> r.get("/sandboxes/{id}/files/list?path=/workspace", sandboxId),
                r -> r.get("/sandboxes/{id}/files/archive?path=/workspace", sandboxId),
                r -> r.get("/sandboxes/{id}/logs", sandboxId),
                r -> r.body(Map.of("ttl", "1h")).post("/sandboxes/{id}/extend", sandboxId),
                r -> r.delete("/sandboxes/{id}", sandboxId));
    }

    @Test
    void aViewerReadsButChangesNothing() {
        // a read-only key of the application is a viewer key under the application key's name: the
        // same identity, so the same owner; a viewer of another name sees nothing of the app's
        String appViewer = createKey("app", TENANT, "viewer");
        as(appViewer).get("/sandboxes/{id}", sandboxId).then().statusCode(200);
        as(viewerKey).header("X-User-ID", "app").get("/sandboxes/{id}", sandboxId).then().statusCode(404);
        as(appViewer).body(Map.of()).post("/sandboxes").then().statusCode(403).body("code", equalTo("forbidden"));
        as(appViewer).body(Map.of("command", "true"))
                .post("/sandboxes/{id}/exec", sandboxId).then().statusCode(403);
        as(appViewer).delete("/sandboxes/{id}", sandboxId).then().statusCode(403);
        api().get("/sandboxes/{id}", sandboxId).then().statusCode(200).body("state", equalTo("running"));
    }

    @Test
    void anOperatorSeesItsTenantOnly() {
        as(operatorKey).get("/sandboxes").then().statusCode(200).body("id", hasItem(sandboxId));
        as(operatorKey).get("/sandboxes/{id}", sandboxId).then().statusCode(200);
        as(operatorKey).get("/workers").then().statusCode(200);
        String foreign = as(strangerKey).body(Map.of()).post("/sandboxes").then().statusCode(201).extract().path("id");
        try {
            as(operatorKey).get("/sandboxes/{id}", foreign).then().statusCode(404);
            as(operatorKey).get("/sandboxes").then().statusCode(200).body("id", not(hasItem(foreign)));
        } finally {
            as(strangerKey).delete("/sandboxes/{id}", foreign).then().statusCode(200);
        }
    }

    @Test
    void administrationNeedsTheAdminRole() {
        for (String key : List.of(userKey, viewerKey, operatorKey)) {
            as(key).get("/admin/audit").then().statusCode(403).body("code", equalTo("forbidden"));
            as(key).get("/admin/api-keys").then().statusCode(403);
            as(key).body(Map.of("name", "sneaky", "tenant", TENANT, "role", "admin")).post("/admin/api-keys")
                    .then().statusCode(403);
        }
        as(userKey).get("/workers").then().statusCode(403);
        RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").header("X-Admin-API-Key", Suite.API_KEY)
                .get("/admin/audit?limit=1").then().statusCode(200);
    }

    @Test
    void aRevokedKeyIsRefusedAndBadKeyRequestsAreTyped() {
        String doomed = createKey("doomed", TENANT, "user");
        String id = KEY_IDS.get(KEY_IDS.size() - 1);
        as(doomed).get("/sandboxes").then().statusCode(200);
        api().delete("/admin/api-keys/{id}", id).then().statusCode(200).body("status", equalTo("revoked"));
        as(doomed).get("/sandboxes").then().statusCode(401).body("code", equalTo("unauthorized"));
        api().delete("/admin/api-keys/key_000000000000").then().statusCode(404).body("code", equalTo("not_found"));
        api().body(Map.of("name", "x", "tenant", "Bad Tenant")).post("/admin/api-keys").then().statusCode(400)
                .body("message", containsString("tenant"));
        api().body(Map.of("name", "x", "tenant", TENANT, "role", "superuser")).post("/admin/api-keys").then().statusCode(400)
                .body("message", containsString("role"));
    }

    @Test
    void noKeyAtAllIsUnauthorizedEverywhere() {
        for (String path : List.of("/sandboxes", "/sandboxes/" + sandboxId, "/templates", "/providers", "/workers",
                "/admin/audit", "/admin/api-keys", "/sandboxes/" + sandboxId + "/files?path=/workspace/secret.txt")) {
            Response answer = RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").get(path);
            assertTrue(answer.statusCode() == 401, path + " answered " + answer.statusCode());
            assertFalse(answer.asString().contains(SECRET));
        }
    }

    @Test
    void refusalsAreAuditedWithoutTheKey() throws InterruptedException {
        String marker = "/sandboxes/sb-deadbeef" + UUID.randomUUID().toString().substring(0, 4);
        RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").header("X-API-Key", "svm_not_a_real_key_123")
                .get(marker).then().statusCode(401);
        as(viewerKey).body(Map.of()).post("/sandboxes").then().statusCode(403);
        String found = "";
        for (int attempt = 0; attempt < 40 && !found.contains(marker); attempt++) {
            Thread.sleep(250);
            found = api().queryParam("action", "auth.denied").queryParam("target", "/api/v1" + marker)
                    .get("/admin/audit").then().statusCode(200).extract().asString();
        }
        assertTrue(found.contains("\"outcome\":\"denied\""), found);
        assertTrue(found.contains("unknown key"), found);
        assertFalse(found.contains("svm_not_a_real_key_123"), "the presented key is never recorded");
        String viewerDenied = api().queryParam("action", "auth.denied").queryParam("actor", TENANT + "/dashboard")
                .get("/admin/audit").then().statusCode(200).extract().asString();
        for (int attempt = 0; attempt < 40 && !viewerDenied.contains("viewer keys may only read"); attempt++) {
            Thread.sleep(250);
            viewerDenied = api().queryParam("action", "auth.denied").queryParam("actor", TENANT + "/dashboard")
                    .get("/admin/audit").then().statusCode(200).extract().asString();
        }
        assertTrue(viewerDenied.contains("viewer keys may only read"), viewerDenied);
    }

    @Test
    void internalRoutesNeedTheServiceTokenHoweverThePathIsSpelled() throws Exception {
        String worker = System.getProperty("stacyvm.worker-url", "http://127.0.0.1:7525");
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (String path : List.of("/internal/providers", "/%69nternal/providers", "/x/../internal/providers",
                "//internal/providers", "/internal/./providers", "/INTERNAL/../internal/providers")) {
            // sent as written: the JDK client does not normalise the path
            java.net.http.HttpResponse<String> answer = http.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(worker + path)).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertTrue(answer.statusCode() == 401 || answer.statusCode() == 404 || answer.statusCode() == 400,
                    path + " answered " + answer.statusCode() + " " + answer.body());
            assertFalse(answer.body().contains("\"healthy\""), path + " reached the route: " + answer.body());
        }
    }
}
