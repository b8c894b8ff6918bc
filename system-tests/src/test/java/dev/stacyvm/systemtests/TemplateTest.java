package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Templates: create, list, get, update, delete, spawn, and a create that names one. */
class TemplateTest {

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();
    private final String name = "tpl-" + UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void cleanUp() {
        sandboxes.close();
        api().delete("/templates/{name}", name);
    }

    @Test
    void aTemplateGoesThroughItsWholeLife() throws InterruptedException {
        String since = java.time.Instant.now().minusSeconds(5).toString();
        api().body(Map.of("name", name, "memory_mb", 384, "ttl", "15m", "metadata", Map.of("team", "a")))
                .post("/templates").then().statusCode(201)
                .body("name", equalTo(name)).body("memory_mb", equalTo(384)).body("ttl", equalTo("15m"));
        api().body(Map.of("name", name)).post("/templates").then().statusCode(409).body("code", equalTo("conflict"));
        api().get("/templates").then().statusCode(200).body("name", hasItem(name));
        api().get("/templates/{name}", name).then().statusCode(200).body("metadata.team", equalTo("a"));

        api().body(Map.of("memory_mb", 320, "vcpus", 1, "metadata", Map.of("team", "b"), "env", Map.of("TOKEN", "tpl-secret-value")))
                .put("/templates/{name}", name).then().statusCode(200)
                .body("memory_mb", equalTo(320)).body("metadata.team", equalTo("b"));

        api().delete("/templates/{name}", name).then().statusCode(200).body("status", equalTo("deleted"));
        api().get("/templates/{name}", name).then().statusCode(404).body("code", equalTo("not_found"));
        api().get("/templates").then().statusCode(200).body("name", not(hasItem(name)));

        // each change is in the audit log, with the template's name but never its environment
        String trail = "";
        for (int attempt = 0; attempt < 40 && !trail.contains("template.delete"); attempt++) {
            Thread.sleep(250);
            trail = api().queryParam("action", "template.create").queryParam("since", since).get("/admin/audit").asString()
                    + api().queryParam("action", "template.update").queryParam("since", since).get("/admin/audit").asString()
                    + api().queryParam("action", "template.delete").queryParam("since", since).get("/admin/audit").asString();
        }
        for (String action : new String[] {"template.create", "template.update", "template.delete"}) {
            org.junit.jupiter.api.Assertions.assertTrue(trail.contains("\"action\":\"" + action + "\""), action + " in " + trail);
        }
        org.junit.jupiter.api.Assertions.assertTrue(trail.contains(name), trail);
        org.junit.jupiter.api.Assertions.assertFalse(trail.contains("tpl-secret-value"), "environment values never reach the audit log");
    }

    @Test
    void spawnAndCreateUseTheTemplateWithOverrides() {
        api().body(Map.of("name", name, "memory_mb", 384, "metadata", Map.of("team", "a", "tier", "free")))
                .post("/templates").then().statusCode(201);

        String spawned = api().body(Map.of("metadata", Map.of("tier", "pro"))).post("/templates/{name}/spawn", name)
                .then().statusCode(201)
                .body("state", equalTo("running"))
                .body("memory_mb", equalTo(384))
                .body("metadata.team", equalTo("a"))
                .body("metadata.tier", equalTo("pro"))
                .extract().path("id");
        sandboxesCreated(spawned);

        String created = api().body(Map.of("template", name, "memory_mb", 256)).post("/sandboxes")
                .then().statusCode(201)
                .body("memory_mb", equalTo(256))
                .body("metadata.tier", equalTo("free"))
                .extract().path("id");
        sandboxesCreated(created);
    }

    @Test
    void badTemplatesAreRefused() {
        api().body(Map.of("name", "Has Spaces")).post("/templates").then().statusCode(400).body("code", equalTo("bad_request"));
        api().body(Map.of("name", name, "memory_mb", 1)).post("/templates").then().statusCode(400)
                .body("message", containsString("memory_mb"));
        api().body(Map.of()).post("/templates/no-such-template/spawn").then().statusCode(404).body("code", equalTo("not_found"));
        api().body(Map.of("template", "no-such-template")).post("/sandboxes").then().statusCode(404)
                .body("code", equalTo("not_found"));
        api().body(Map.of("memory_mb", 256)).put("/templates/no-such-template").then().statusCode(404);
    }

    private void sandboxesCreated(String id) {
        // registered for clean-up like the ones created through Suite.Sandboxes
        sandboxes.adopt(id);
    }
}
