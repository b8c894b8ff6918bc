package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.response.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A create naming an image the worker lacks pulls it, as {@code docker run} does: through the
 * operator's registry mirror for a Docker Hub reference, from its own registry for a fully
 * qualified one, once for creates that ask together. The registry is the test instance's own
 * (Debian's docker-registry on loopback, started by {@code ./stacyvm test} as its worker's
 * mirror); the images pushed into it are the base image retagged, so nothing comes from outside.
 */
class ImagePullTest {

    private static final String REGISTRY = System.getProperty("stacyvm.registry", "");
    private static final String BASE = "stacyvm/base:bookworm";
    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();
    private final List<String> localImages = new ArrayList<>();

    @BeforeAll
    static void theInstanceHasARegistry() {
        assertTrue(!REGISTRY.isEmpty(), "stacyvm.registry: ./stacyvm test starts the instance's registry mirror");
    }

    @AfterEach
    void removeWhatWasPulled() throws Exception {
        sandboxes.close();
        for (String image : localImages) {
            docker("rmi", image); // the next run pulls again
        }
    }

    /** Runs the docker CLI against the instance's engine; answers its output, failing on a non-zero exit. */
    private static String docker(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " finished");
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + output);
        return output;
    }

    /** Puts the base image into the registry under {@code repository:tag}, and not on the engine under that name. */
    private static void push(String repository, String tag) throws Exception {
        String remote = REGISTRY + "/" + repository + ":" + tag;
        docker("tag", BASE, remote);
        docker("push", "-q", remote);
        docker("rmi", remote);
    }

    private static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private String whoAmI(String id) {
        return Suite.exec(id, Map.of("command", "id -un")).then().statusCode(200).body("exit_code", equalTo(0))
                .extract().path("stdout");
    }

    @Test
    void aDockerHubReferenceIsPulledThroughTheOperatorsMirrorAndKeepsItsName() throws Exception {
        String name = "stacyvm-pull-" + unique();
        push("library/" + name, "1.0");
        String image = name + ":1.0";
        localImages.add(image);
        String id = sandboxes.create(Map.of("image", image, "ttl", "5m"));
        assertEquals("sandbox\n", whoAmI(id));
        api().get("/sandboxes/{id}", id).then().statusCode(200).body("image", equalTo(image));
        assertTrue(docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}").lines().anyMatch(image::equals),
                "the engine holds the image under the name the sandbox asked for");
    }

    @Test
    void aFullyQualifiedReferenceIsPulledFromItsOwnRegistry() throws Exception {
        String repository = "team-" + unique() + "/app";
        push(repository, "1");
        String image = REGISTRY + "/" + repository + ":1";
        localImages.add(image);
        String id = sandboxes.create(Map.of("image", image, "ttl", "5m"));
        assertEquals("sandbox\n", whoAmI(id));
    }

    @Test
    void stacyvmsSdkDefaultImageRunsWhenTheOperatorsMirrorHasIt() {
        // StacyVM's SDKs create with alpine:latest; the instance's mirror serves it
        String id = sandboxes.create(Map.of("image", "alpine:latest", "ttl", "5m"));
        assertNotNull(whoAmI(id));
    }

    @Test
    void createsOfOneMissingImageAskedTogetherAllRunFromOnePull() throws Exception {
        String name = "stacyvm-shared-" + unique();
        push("library/" + name, "1");
        String image = name + ":1";
        localImages.add(image);
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try {
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                answers.add(callers.submit(() -> api().body(Map.of("image", image, "ttl", "5m")).post("/sandboxes")));
            }
            for (Future<Response> answer : answers) {
                Response created = answer.get(180, TimeUnit.SECONDS);
                assertEquals(201, created.statusCode(), created.asString());
                sandboxes.adopt(created.path("id"));
            }
        } finally {
            callers.shutdownNow();
        }
        String log = java.nio.file.Files.readString(java.nio.file.Path.of(System.getProperty("stacyvm.home"), "logs",
                "worker-service.log"));
        assertEquals(1, log.lines().filter(line -> line.contains("pulled " + image + " from")).count(),
                "one pull served the three creates");
    }

    @Test
    void anImageNoRegistryHasIsABadRequestNamingWhereItLooked() {
        String image = "stacyvm-nowhere-" + unique() + ":1";
        api().body(Map.of("image", image, "ttl", "5m")).post("/sandboxes").then().statusCode(400)
                .body("code", equalTo("bad_request"))
                .body("message", containsString("could not be pulled"))
                .body("message", containsString(REGISTRY));
    }

    @Test
    void anImageOnTheWorkerIsFoundByItsNameNeverByItsId() {
        // the engine finds an image by an id prefix too; a tenant guessing at ids must not run others' images
        String id = Suite.docker().inspectImageCmd(BASE).exec().getId();
        for (String byId : List.of(id.substring("sha256:".length(), "sha256:".length() + 12), id)) {
            api().body(Map.of("image", byId, "ttl", "5m")).post("/sandboxes").then().statusCode(400)
                    .body("code", equalTo("bad_request"));
        }
    }

    /** Pushes an image of its own (the base image with a label, so a new id) into the mirror as {@code repository:tag}. */
    private static void pushDistinct(String repository, String tag, String label) throws Exception {
        String remote = REGISTRY + "/" + repository + ":" + tag;
        Suite.buildImage(remote, "FROM " + BASE + "\nLABEL dev.stacyvm.test-image=" + label + "\n");
        docker("push", "-q", remote);
        docker("rmi", remote);
    }

    @Test
    void aTemplatesPullPolicyNeverRefusesAnImageTheWorkerLacksAndRunsOneItHas() throws Exception {
        String name = "stacyvm-never-" + unique();
        push("library/" + name, "1");
        String image = name + ":1";
        localImages.add(image);
        String template = "never-" + unique();
        api().body(Map.of("name", template, "image", image, "pull_policy", "never")).post("/templates").then()
                .statusCode(201).body("pull_policy", equalTo("never"));
        try {
            api().post("/templates/{t}/spawn", template).then().statusCode(400).body("code", equalTo("bad_request"))
                    .body("message", containsString("pull policy is never"));
            sandboxes.create(Map.of("image", image, "ttl", "5m")); // the operator's policy pulls it
            String spawned = api().post("/templates/{t}/spawn", template).then().statusCode(201).extract().path("id");
            sandboxes.adopt(spawned);
        } finally {
            api().delete("/templates/{t}", template);
        }
        api().body(Map.of("image", image, "pull_policy", "sometimes")).post("/sandboxes").then().statusCode(400)
                .body("message", containsString("pull_policy"));
    }

    @Test
    void pullPolicyAlwaysFollowsATagMovedInTheRegistry() throws Exception {
        String name = "stacyvm-moved-" + unique();
        pushDistinct("library/" + name, "1", "first");
        String image = name + ":1";
        localImages.add(image);
        String first = api().get("/sandboxes/{id}", sandboxes.create(Map.of("image", image, "ttl", "5m"))).then()
                .extract().path("image_digest");
        pushDistinct("library/" + name, "1", "second");
        String kept = api().get("/sandboxes/{id}", sandboxes.create(Map.of("image", image, "ttl", "5m"))).then()
                .extract().path("image_digest");
        assertEquals(first, kept, "if-not-present runs the image the worker has");
        String followed = api().get("/sandboxes/{id}",
                sandboxes.create(Map.of("image", image, "ttl", "5m", "pull_policy", "always"))).then()
                .extract().path("image_digest");
        assertTrue(followed.startsWith("sha256:") && !followed.equals(first),
                "always pulled the moved tag: " + first + " then " + followed);
    }

    @Test
    void aPullFromARegistryThatNeverAnswersIsAbandonedAtThePullTimeout() throws Exception {
        // a "registry" on loopback that takes connections and never says a word
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept());
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            try {
                String image = "127.0.0.1:" + silent.getLocalPort() + "/slow/app:1";
                api().body(Map.of("image", image, "ttl", "5m")).post("/sandboxes").then().statusCode(503)
                        .body("code", equalTo("unavailable")).body("message", containsString("pull-timeout"));
            } finally {
                silent.close();
                for (java.net.Socket socket : held) {
                    socket.close();
                }
                acceptor.join(5000);
            }
        }
    }

    @Test
    void aPullsProgressIsPublishedWhileTheSandboxIsCreating() throws Exception {
        String name = "stacyvm-progress-" + unique();
        String remote = REGISTRY + "/library/" + name + ":1";
        // a layer of its own to download: 24 MiB that do not compress
        Suite.buildImage(remote, "FROM " + BASE + "\nRUN head -c 25165824 /dev/urandom > /tmp/blob\n");
        docker("push", "-q", remote);
        docker("rmi", remote);
        String image = name + ":1";
        localImages.add(image);

        java.util.Properties consumer = new java.util.Properties();
        consumer.putAll(SuiteKafka.asTests());
        consumer.put("group.id", "system-tests.progress-" + unique());
        consumer.put("auto.offset.reset", "latest");
        consumer.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        consumer.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        try (var events = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(consumer)) {
            events.subscribe(List.of("stacyvm.sandbox-events"));
            long assigned = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (events.assignment().isEmpty() && System.nanoTime() < assigned) {
                events.poll(java.time.Duration.ofMillis(200));
            }
            assertTrue(!events.assignment().isEmpty(), "the test reads the sandbox events");
            // "latest" is resolved lazily; resolve it now, or the create's events could come before it
            events.assignment().forEach(events::position);
            String id = sandboxes.create(Map.of("image", image, "ttl", "5m"));
            List<Map<String, Object>> progress = new ArrayList<>();
            boolean running = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!running && System.nanoTime() < deadline) {
                for (var record : events.poll(java.time.Duration.ofMillis(500))) {
                    if (!id.equals(record.key())) {
                        continue;
                    }
                    Map<String, Object> event = io.restassured.path.json.JsonPath.from(record.value()).getMap("");
                    if ("sandbox.progress".equals(event.get("type"))) {
                        progress.add(event);
                    } else if ("running".equals(event.get("to_state"))) {
                        running = true;
                    }
                }
            }
            assertTrue(running, "the sandbox ran");
            assertTrue(!progress.isEmpty() && "pulling".equals(progress.get(0).get("phase")),
                    "the pull was announced before it ran: " + progress);
            Map<String, Object> pulled = progress.get(progress.size() - 1);
            assertEquals("pulled", pulled.get("phase"), "and its end: " + progress);
            assertTrue(((Number) pulled.get("bytes_total")).longValue() >= 24L * 1024 * 1024,
                    "the bytes it downloaded: " + pulled);
            assertTrue(String.valueOf(pulled.get("detail")).contains(image), "the line names the image: " + pulled);
        }
    }

    @Test
    void aRegistryAtAPrivateAddressTheOperatorDidNotListIsNeverAsked() {
        // the test instance lists 127.0.0.1 only; 127.0.0.2 is the host too, and unlisted
        api().body(Map.of("image", "127.0.0.2:5000/probe/app:1", "ttl", "5m")).post("/sandboxes").then()
                .statusCode(400).body("code", equalTo("bad_request"))
                .body("message", containsString("stacyvm.worker.images.private-registries"));
    }
}
