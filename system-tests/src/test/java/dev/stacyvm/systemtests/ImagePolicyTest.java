package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static dev.stacyvm.systemtests.Suite.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A tenant's image policy refuses, with 403 image_not_allowed naming the pattern, every way its
 * keys could name an image: a create, a template save, a spawn of a template saved before the
 * policy; other tenants are not bound by it.
 */
class ImagePolicyTest {

    private static final String BASE = "stacyvm/base:bookworm";

    @Test
    void aTenantsImagePolicyRefusesWhatItDeniesOnEveryRouteThatNamesAnImage() throws InterruptedException {
        String tenant = "imgpol-" + UUID.randomUUID().toString().substring(0, 8);
        try (Suite.Keys keys = new Suite.Keys(); Suite.Sandboxes sandboxes = new Suite.Sandboxes()) {
            String key = keys.issue(tenant, "user");
            String outsider = keys.issue(tenant + "-other", "user");
            as(key).body(Map.of("name", "latest-alpine", "image", "alpine:latest", "ttl", "5m")).post("/templates")
                    .then().statusCode(201);

            api().body(Map.of("allow", List.of("docker.io/stacyvm/*", "alpine"), "deny", List.of("*:latest")))
                    .put("/tenants/{t}/image-policy", tenant).then().statusCode(200)
                    .body("deny", equalTo(List.of("*:latest")));
            api().get("/tenants/{t}/image-policy", tenant).then().statusCode(200)
                    .body("allow", equalTo(List.of("docker.io/stacyvm/*", "alpine")));

            as(key).body(Map.of("image", "alpine:latest", "ttl", "5m")).post("/sandboxes").then().statusCode(403)
                    .body("code", equalTo("image_not_allowed")).body("message", containsString("\"*:latest\""));
            List<Map<String, Object>> denied = List.of();
            for (int attempt = 0; attempt < 40 && denied.isEmpty(); attempt++) {
                Thread.sleep(500);
                denied = api().queryParam("actor", tenant + "/test-user").queryParam("action", "sandbox.create")
                        .get("/admin/audit").then().statusCode(200).extract().jsonPath().getList("$");
            }
            assertEquals(1, denied.size(), "the refused create is in the audit log: " + denied);
            assertEquals("denied", denied.get(0).get("outcome"));
            assertTrue(String.valueOf(denied.get(0).get("detail")).contains("image_not_allowed"), denied.toString());
            as(key).body(Map.of("image", "alpine", "ttl", "5m")).post("/sandboxes").then().statusCode(403)
                    .body("message", containsString("\"*:latest\""));
            as(key).body(Map.of("image", "python:3.12", "ttl", "5m")).post("/sandboxes").then().statusCode(403)
                    .body("message", containsString("no allow pattern"));
            as(key).body(Map.of("name", "py", "image", "python:3.12")).post("/templates").then().statusCode(403)
                    .body("code", equalTo("image_not_allowed"));
            as(key).post("/templates/latest-alpine/spawn").then().statusCode(403)
                    .body("code", equalTo("image_not_allowed"));
            as(key).body(Map.of("image", "alpine:latest", "ttl", "5m")).post("/sandboxes/admission").then().statusCode(403);

            String allowed = as(key).body(Map.of("image", BASE, "ttl", "5m")).post("/sandboxes").then().statusCode(201)
                    .extract().path("id");
            sandboxes.adopt(allowed);
            // another tenant is not bound by it
            as(outsider).body(Map.of("image", "python:3.12", "ttl", "5m")).post("/sandboxes").then()
                    .statusCode(400).body("code", equalTo("bad_request"));

            api().body(Map.of("deny", List.of("bad pattern"))).put("/tenants/{t}/image-policy", tenant).then()
                    .statusCode(400).body("message", containsString("bad pattern"));
            api().delete("/tenants/{t}/image-policy", tenant).then().statusCode(200);
            api().get("/tenants/{t}/image-policy", tenant).then().statusCode(404);
            as(key).body(Map.of("name", "py", "image", "python:3.12")).post("/templates").then().statusCode(201);
            as(key).delete("/templates/py").then().statusCode(200);
            as(key).delete("/templates/latest-alpine").then().statusCode(200);
        }
    }
}
