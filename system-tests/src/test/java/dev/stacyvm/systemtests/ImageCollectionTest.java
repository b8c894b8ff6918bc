package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Images on workers: {@code GET /images} shows what each worker holds and what uses it, an
 * administrator removes one (never while in use), and garbage collection removes unused images
 * but never one a sandbox runs, a template names, or the default image. The images are the base
 * image pushed into the test instance's registry mirror under new names, so nothing comes from
 * outside.
 */
class ImageCollectionTest {

    private static final String REGISTRY = System.getProperty("stacyvm.registry", "");
    private static final String BASE = "stacyvm/base:bookworm";

    @BeforeAll
    static void theInstanceHasARegistry() {
        assertTrue(!REGISTRY.isEmpty(), "stacyvm.registry: ./stacyvm test starts the instance's registry mirror");
    }

    /**
     * Pushes an image of its own (the base image with a label naming it, so its id is its own) into
     * the mirror as a Docker Hub official image {@code name:1}; answers that name.
     */
    private static String mirrored(String name) throws Exception {
        String remote = REGISTRY + "/library/" + name + ":1";
        Suite.buildImage(remote, "FROM " + BASE + "\nLABEL dev.stacyvm.test-image=" + name + "\n");
        try {
            Suite.docker().pushImageCmd(REGISTRY + "/library/" + name).withTag("1")
                    .exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<>())
                    .awaitCompletion(120, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            Suite.docker().removeImageCmd(remote).exec(); // the worker pulls it through the mirror
        }
        return name + ":1";
    }

    /** The image by that name on the test worker, as GET /images shows it. */
    private static Optional<Map<String, Object>> onWorker(String reference) {
        JsonPath images = api().get("/images").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> held = images.getList("find { it.worker_id == '" + Suite.WORKER_ID + "' }.images");
        return held.stream().filter(image -> ((List<?>) image.get("references")).contains(reference)).findFirst();
    }

    @Test
    void garbageCollectionRemovesUnusedImagesButNeverOneInUseATemplatesOrTheDefault() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String running = mirrored("gc-running-" + suffix);
        String templated = mirrored("gc-template-" + suffix);
        String unused = mirrored("gc-unused-" + suffix);
        String template = "gc-" + suffix;
        try (Suite.Sandboxes sandboxes = new Suite.Sandboxes()) {
            String keeper = sandboxes.create(Map.of("image", running, "ttl", "5m"));
            api().delete("/sandboxes/{id}", sandboxes.create(Map.of("image", unused, "ttl", "5m"))).then().statusCode(200);
            api().body(Map.of("name", template, "image", templated)).post("/templates").then().statusCode(201);
            String spawned = api().post("/templates/{t}/spawn", template).then().statusCode(201).extract().path("id");
            api().delete("/sandboxes/{id}", spawned).then().statusCode(200);

            Map<String, Object> inUse = onWorker(running).orElseThrow();
            assertEquals(1, inUse.get("in_use"), "one sandbox runs it: " + inUse);
            assertTrue(((Number) inUse.get("size_bytes")).longValue() > 0, "its size: " + inUse);
            assertTrue(String.valueOf(inUse.get("digest")).startsWith("sha256:"), "its digest: " + inUse);
            assertTrue(inUse.get("last_used_at") != null, "its last use: " + inUse);
            assertEquals(true, onWorker(templated).orElseThrow().get("pinned"), "a template's image is pinned");
            assertEquals(true, onWorker(BASE).orElseThrow().get("pinned"), "the default image is pinned");
            assertEquals(false, onWorker(unused).orElseThrow().get("pinned"));

            List<String> removed = api().body(Map.of("unused_for", "0s", "disk_budget_mb", 0)).post("/images/prune")
                    .then().statusCode(200).extract()
                    .path("find { it.worker_id == '" + Suite.WORKER_ID + "' }.removed");
            assertTrue(removed.contains(unused), "the unused image went: " + removed);
            assertFalse(removed.contains(running) || removed.contains(templated) || removed.contains(BASE),
                    "what runs, what a template names and the default stay: " + removed);
            assertTrue(onWorker(unused).isEmpty(), "gone from the worker");
            assertTrue(onWorker(running).isPresent() && onWorker(templated).isPresent() && onWorker(BASE).isPresent());

            api().delete("/images/{reference}", running).then().statusCode(409).body("code", equalTo("conflict"))
                    .body("message", containsString("in use"));
            api().delete("/sandboxes/{id}", keeper).then().statusCode(200);
            api().delete("/images/{reference}", running).then().statusCode(200);
            assertTrue(onWorker(running).isEmpty(), "removed on request once nothing used it");
            api().delete("/images/{reference}", running).then().statusCode(404);
        } finally {
            api().delete("/templates/{t}", template);
            for (String image : List.of(running, templated, unused)) {
                try {
                    Suite.docker().removeImageCmd(image).withForce(true).exec();
                } catch (com.github.dockerjava.api.exception.NotFoundException gone) {
                    // collected or removed above
                }
            }
        }
    }

    @Test
    void imagesAreListedRemovedAndCollectedByAdministratorsOnly() {
        try (Suite.Keys keys = new Suite.Keys()) {
            String user = keys.issue("default", "user");
            String operator = keys.issue("default", "operator");
            Suite.as(user).get("/images").then().statusCode(403);
            // image names span every tenant: an operator of one tenant does not see them
            Suite.as(operator).get("/images").then().statusCode(403);
            Suite.as(operator).delete("/images/{reference}", BASE).then().statusCode(403);
            Suite.as(operator).body(Map.of()).post("/images/prune").then().statusCode(403);
            api().body(Map.of("unused_for", "soon")).post("/images/prune").then().statusCode(400);
        }
    }
}
