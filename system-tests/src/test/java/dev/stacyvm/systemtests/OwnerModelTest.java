package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The owner model (issue 13, findings 2 and 3): a key acts for its own end users only, inside its
 * own namespace, and the limits of its key and its tenant hold however many end users it names.
 */
class OwnerModelTest {

    private static final String SECRET = "alice-only-" + UUID.randomUUID();

    private final String tenant = "owners-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<String> keyIds = Collections.synchronizedList(new ArrayList<>());
    private final List<String> sandboxes = Collections.synchronizedList(new ArrayList<>());
    private final List<String> scopes = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (String id : sandboxes) {
            api().delete("/sandboxes/{id}", id);
        }
        for (String scope : scopes) {
            api().delete(scope);
        }
        for (String id : keyIds) {
            api().delete("/admin/api-keys/{id}", id);
        }
    }

    private String key(String name, String role) {
        Response created = api().body(Map.of("name", name, "tenant", tenant, "role", role)).post("/admin/api-keys");
        created.then().statusCode(201);
        keyIds.add(created.path("id"));
        return created.path("key");
    }

    private static RequestSpecification as(String key) {
        return RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").header("X-API-Key", key)
                .contentType(ContentType.JSON).log().ifValidationFails();
    }

    private Response create(RequestSpecification caller, Map<String, Object> body) {
        Response response = caller.body(body).post("/sandboxes");
        if (response.statusCode() == 201) {
            sandboxes.add(response.path("id"));
        }
        return response;
    }

    private void limit(String path, Map<String, Object> limits) {
        api().body(limits).put(path).then().statusCode(200).body("source", equalTo("override"));
        scopes.add(path);
    }

    @Test
    void endUserIdsWithColonsAreTheirKeysEndUsersAndNoOneElses() {
        String app = key("app", "user");
        String org = key("org", "user");
        String id = create(as(app).header("X-User-ID", "org:alice"), Map.of("ttl", "10m")).then().statusCode(201)
                .body("owner_id", equalTo(tenant + ":app:org:alice")).extract().path("id");
        as(app).header("X-User-ID", "org:alice").get("/sandboxes/{id}", id).then().statusCode(200);

        // neither the key itself, nor an end user whose id shares a part with it, nor key org reaches it
        List<java.util.function.Supplier<RequestSpecification>> others = List.of(
                () -> as(app), () -> as(app).header("X-User-ID", "org"), () -> as(app).header("X-User-ID", "org:alice:x"),
                () -> as(app).header("X-User-ID", "alice"), () -> as(org).header("X-User-ID", "alice"),
                () -> as(org).header("X-User-ID", "app:org:alice"), () -> as(org));
        for (java.util.function.Supplier<RequestSpecification> other : others) {
            assertEquals(404, other.get().get("/sandboxes/{id}", id).statusCode());
            assertEquals(404, other.get().body(Map.of("command", "true")).post("/sandboxes/{id}/exec", id).statusCode());
            assertEquals(404, other.get().delete("/sandboxes/{id}", id).statusCode());
            other.get().get("/sandboxes").then().statusCode(200).body("id", not(hasItem(id)));
        }
        // what key org makes for ITS end user app:org:alice is its own, never key app's
        create(as(org).header("X-User-ID", "app:org:alice"), Map.of("ttl", "5m")).then().statusCode(201)
                .body("owner_id", equalTo(tenant + ":org:app:org:alice"));
        as(app).header("X-User-ID", "org:alice").get("/sandboxes/{id}", id).then().statusCode(200);
    }

    @Test
    void anEndUserCannotReachAnotherKeysSandboxesOrTemplates() {
        String alice = key("alice", "user");
        String bob = key("bob", "user");
        String id = create(as(alice), Map.of("ports", List.of(3000), "ttl", "10m")).then().statusCode(201)
                .body("owner_id", equalTo(tenant + ":alice")).extract().path("id");
        as(alice).body(Map.of("path", "/tmp/secret.txt", "content", SECRET)).post("/sandboxes/{id}/files", id)
                .then().statusCode(200);
        as(alice).body(Map.of("name", "py", "env", Map.of("TOKEN", SECRET))).post("/templates").then().statusCode(201);

        // bob names alice, as X-User-ID and as the create body's owner_id, and gets nothing of hers
        List<Function<RequestSpecification, Response>> calls = List.of(
                r -> r.get("/sandboxes/{id}", id),
                r -> r.body(Map.of("command", "cat /tmp/secret.txt")).post("/sandboxes/{id}/exec", id),
                r -> r.body(Map.of("command", "cat /tmp/secret.txt", "stream", true)).post("/sandboxes/{id}/exec", id),
                r -> r.get("/sandboxes/{id}/files?path=/tmp/secret.txt", id),
                r -> r.body(Map.of("path", "/tmp/planted.txt", "content", "x")).post("/sandboxes/{id}/files", id),
                r -> r.delete("/sandboxes/{id}/files?path=/tmp/secret.txt", id),
                r -> r.get("/sandboxes/{id}/files/list?path=/tmp", id),
                r -> r.get("/sandboxes/{id}/files/stat?path=/tmp/secret.txt", id),
                r -> r.get("/sandboxes/{id}/files/glob?pattern=/tmp/*", id),
                r -> r.body(Map.of("old_path", "/tmp/secret.txt", "new_path", "/tmp/moved.txt")).post("/sandboxes/{id}/files/move", id),
                r -> r.body(Map.of("path", "/tmp/secret.txt", "mode", "0777")).post("/sandboxes/{id}/files/chmod", id),
                r -> r.get("/sandboxes/{id}/files/archive?path=/tmp", id),
                r -> r.get("/sandboxes/{id}/logs", id),
                r -> r.body(Map.of("ttl", "1h")).post("/sandboxes/{id}/extend", id),
                r -> r.get("/sandboxes/{id}/preview/{port}", id, 3000),
                r -> r.delete("/sandboxes/{id}", id),
                r -> r.get("/templates/py"),
                r -> r.body(Map.of("name", "py", "env", Map.of("TOKEN", "stolen"))).put("/templates/py"),
                r -> r.body(Map.of()).post("/templates/py/spawn"),
                r -> r.body(Map.of("template", "py")).post("/sandboxes"),
                r -> r.delete("/templates/py"));
        // a request specification holds one request's state, so each call gets a fresh one
        List<java.util.function.Supplier<RequestSpecification>> intruders = List.of(
                () -> as(bob).header("X-User-ID", "alice"), () -> as(bob));
        for (java.util.function.Supplier<RequestSpecification> intruder : intruders) {
            for (Function<RequestSpecification, Response> call : calls) {
                Response answer = call.apply(intruder.get());
                assertEquals(404, answer.statusCode(), "bob acting as alice must get 404, got " + answer.asString());
                assertFalse(answer.asString().contains(SECRET), "no answer carries alice's secret");
            }
        }
        as(bob).header("X-User-ID", "alice").get("/sandboxes").then().statusCode(200).body("id", not(hasItem(id)));
        as(bob).header("X-User-ID", "alice").get("/templates").then().statusCode(200).body("name", not(hasItem("py")));
        // what bob creates for his end user alice is his, in his namespace, and alice's key does not see it
        String bobs = create(as(bob).header("X-User-ID", "alice"), Map.of("ttl", "5m")).then().statusCode(201)
                .body("owner_id", equalTo(tenant + ":bob:alice")).extract().path("id");
        as(alice).get("/sandboxes/{id}", bobs).then().statusCode(404);
        // a key named to spell bob's end user cannot reach it either
        String spelled = key("bob:alice", "user");
        as(spelled).get("/sandboxes/{id}", bobs).then().statusCode(404);
        create(as(spelled), Map.of("ttl", "5m")).then().statusCode(201).body("owner_id", equalTo(tenant + ":bob%3Aalice"));

        // alice still has everything, untouched
        as(alice).get("/sandboxes/{id}/files?path=/tmp/secret.txt", id).then().statusCode(200).body(equalTo(SECRET));
        as(alice).get("/templates/py").then().statusCode(200).body("env.TOKEN", equalTo(SECRET));
        as(alice).get("/sandboxes/{id}/preview/{port}", id, 3000).then().statusCode(200);
    }

    @Test
    void rotatingEndUsersCannotEscapeTheKeyQuota() {
        String app = key("app", "user");
        String other = key("other", "user");
        limit("/quotas/keys/" + tenant + ":app", Map.of("max_sandboxes", 2));
        api().get("/quotas/keys/{key}", tenant + ":app").then().statusCode(200).body("max_sandboxes", equalTo(2))
                .body("scope", equalTo("key"));
        create(as(app).header("X-User-ID", "u1"), Map.of("ttl", "5m")).then().statusCode(201);
        create(as(app).header("X-User-ID", "u2"), Map.of("ttl", "5m")).then().statusCode(201);
        create(as(app).header("X-User-ID", "u3"), Map.of("ttl", "5m")).then().statusCode(429)
                .body("code", equalTo("resource_limit")).body("message", containsString("key " + tenant + ":app"));
        create(as(app), Map.of("ttl", "5m")).then().statusCode(429);
        as(app).header("X-User-ID", "u4").body(Map.of()).post("/sandboxes/admission").then().statusCode(200)
                .body("allowed", equalTo(false)).body("reason", containsString("key " + tenant + ":app"));
        api().get("/quotas/keys/{key}/usage", tenant + ":app").then().statusCode(200)
                .body("active_sandboxes", equalTo(2)).body("max_sandboxes", equalTo(2));
        // the key's limit is the key's alone: another key of the tenant is not held by it
        create(as(other).header("X-User-ID", "u3"), Map.of("ttl", "5m")).then().statusCode(201);
    }

    @Test
    void rotatingEndUsersCannotEscapeTheTenantQuota() {
        String first = key("first", "user");
        String second = key("second", "user");
        limit("/quotas/tenants/" + tenant, Map.of("max_memory_mb", 1024));
        create(as(first).header("X-User-ID", "a"), Map.of("memory_mb", 512, "ttl", "5m")).then().statusCode(201);
        create(as(second).header("X-User-ID", "b"), Map.of("memory_mb", 512, "ttl", "5m")).then().statusCode(201);
        create(as(second).header("X-User-ID", "c"), Map.of("memory_mb", 512, "ttl", "5m")).then().statusCode(429)
                .body("code", equalTo("resource_limit")).body("message", containsString("tenant " + tenant));
        create(as(first).header("X-User-ID", "d"), Map.of("memory_mb", 64, "ttl", "5m")).then().statusCode(429);
        api().get("/quotas/tenants/{tenant}/usage", tenant).then().statusCode(200)
                .body("memory_mb", equalTo(1024)).body("max_memory_mb", equalTo(1024));
        // another tenant is not held by it
        create(api().header("X-User-ID", "owners-" + UUID.randomUUID()), Map.of("memory_mb", 512, "ttl", "5m"))
                .then().statusCode(201);
    }

    @Test
    void rotatingEndUsersCannotEscapeTheKeyRateLimit() {
        String app = key("app", "user");
        String other = key("other", "user");
        limit("/quotas/keys/" + tenant + ":app", Map.of("requests_per_minute", 5));
        for (int i = 0; i < 5; i++) {
            as(app).header("X-User-ID", "user-" + i).get("/sandboxes").then().statusCode(200)
                    .header("X-RateLimit-Limit", "5");
        }
        as(app).header("X-User-ID", "user-new").get("/sandboxes").then().statusCode(429)
                .header("Retry-After", org.hamcrest.Matchers.notNullValue())
                .body("code", equalTo("resource_limit")).body("message", containsString("key " + tenant + ":app"));
        as(app).get("/sandboxes").then().statusCode(429);
        as(other).header("X-User-ID", "user-new").get("/sandboxes").then().statusCode(200);

        // a tenant's limit holds its keys together the same way
        limit("/quotas/tenants/" + tenant, Map.of("requests_per_minute", 3));
        int passed = 0;
        for (int i = 0; i < 6; i++) {
            if (as(other).header("X-User-ID", "t-" + i).get("/sandboxes").statusCode() == 200) {
                passed++;
            }
        }
        assertTrue(passed <= 3, "the tenant's 3 requests a minute hold across end users, passed " + passed);
    }

    @Test
    void concurrentCreatesNeverPassAKeyOrTenantLimitTogether() throws Exception {
        String app = key("app", "user");
        String other = key("other", "user");
        limit("/quotas/keys/" + tenant + ":app", Map.of("max_sandboxes", 2));
        limit("/quotas/tenants/" + tenant, Map.of("max_sandboxes", 3));
        List<Callable<Integer>> creates = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String user = "c-" + i;
            creates.add(() -> create(as(app).header("X-User-ID", user), Map.of("ttl", "5m")).statusCode());
            creates.add(() -> create(as(other).header("X-User-ID", user), Map.of("ttl", "5m")).statusCode());
        }
        ExecutorService pool = Executors.newFixedThreadPool(12);
        List<Integer> statuses = new ArrayList<>();
        try {
            for (Future<Integer> answer : pool.invokeAll(creates, 120, TimeUnit.SECONDS)) {
                statuses.add(answer.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(statuses.stream().allMatch(status -> status == 201 || status == 429), "only 201 or 429: " + statuses);
        assertEquals(3, statuses.stream().filter(status -> status == 201).count(), "the tenant's 3, never more: " + statuses);
        api().get("/quotas/keys/{key}/usage", tenant + ":app").then().statusCode(200)
                .body("active_sandboxes", org.hamcrest.Matchers.lessThanOrEqualTo(2));
        api().get("/quotas/tenants/{tenant}/usage", tenant).then().statusCode(200).body("active_sandboxes", equalTo(3));
    }
}
