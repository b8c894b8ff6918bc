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
    void aTemplateGoesThroughItsWholeLife() {
        api().body(Map.of("name", name, "memory_mb", 384, "ttl", "15m", "metadata", Map.of("team", "a")))
                .post("/templates").then().statusCode(201)
                .body("name", equalTo(name)).body("memory_mb", equalTo(384)).body("ttl", equalTo("15m"));
        api().body(Map.of("name", name)).post("/templates").then().statusCode(409).body("code", equalTo("conflict"));
        api().get("/templates").then().statusCode(200).body("name", hasItem(name));
        api().get("/templates/{name}", name).then().statusCode(200).body("metadata.team", equalTo("a"));

        api().body(Map.of("memory_mb", 320, "vcpus", 1, "metadata", Map.of("team", "b")))
                .put("/templates/{name}", name).then().statusCode(200)
                .body("memory_mb", equalTo(320)).body("metadata.team", equalTo("b"));

        api().delete("/templates/{name}", name).then().statusCode(200).body("status", equalTo("deleted"));
        api().get("/templates/{name}", name).then().statusCode(404).body("code", equalTo("not_found"));
        api().get("/templates").then().statusCode(200).body("name", not(hasItem(name)));
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
