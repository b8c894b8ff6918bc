package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static dev.stacyvm.systemtests.Suite.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.http.ContentType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Builds (docs/images.md, Builds): a Dockerfile with its context and a spec of packages become
 * images that sandboxes spawn from, built in a hardened build sandbox (a Dockerfile's steps without
 * network, a spec's packages only from the index its egress allows); a cancelled build ends
 * canceled, its sandbox gone; a build's image is its owner's only.
 */
class BuildTest {

    private static final String BASE = "stacyvm/base:bookworm";
    /** The test's package index: a test host in the test's own namespace. */
    private static final String INDEX_HOST = "203.0.113.10";

    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();
    private final TestHosts testHosts = new TestHosts();
    private final List<Path> folders = new ArrayList<>();

    @AfterEach
    void removeEverythingTheTestMade() throws Exception {
        sandboxes.close();
        testHosts.close();
        for (Path folder : folders) {
            try (var files = Files.walk(folder)) {
                for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    @Test
    void aDockerfileBuildRunsWithoutNetworkAndSpawnsAsItsImage() throws Exception {
        Map<String, byte[]> context = new LinkedHashMap<>();
        context.put("Dockerfile", """
                FROM stacyvm/base:bookworm
                ARG GREETING=hello
                ENV APP_GREETING=$GREETING PATH=/srv/tools:$PATH
                WORKDIR /srv/app
                COPY app.py ./
                COPY --chown=sandbox:sandbox data/ /srv/data/
                # the interfaces a step sees: only loopback, as the build has no network
                RUN ls /sys/class/net > /srv/app/interfaces.txt
                RUN echo "$APP_GREETING from a build" > greeting.txt && id -u > /srv/app/built-as.txt
                # what holds a step: capabilities, no-new-privileges, seccomp, memory and pids limits
                RUN grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status | tr -s '\t ' ' ' > /srv/app/status.txt \
                    && { cat /sys/fs/cgroup/memory.max || cat /sys/fs/cgroup/memory/memory.limit_in_bytes; } > /srv/app/limits.txt \
                    && { cat /sys/fs/cgroup/pids.max || cat /sys/fs/cgroup/pids/pids.max; } >> /srv/app/limits.txt
                EXPOSE 8080
                CMD ["python3", "app.py"]
                """.getBytes(StandardCharsets.UTF_8));
        context.put("app.py", "print('app from the context')\n".getBytes(StandardCharsets.UTF_8));
        context.put("data/notes.txt", "notes\n".getBytes(StandardCharsets.UTF_8));

        String name = "app-" + suffix;
        Map<String, Object> started = dockerfileBuild(name, tar(context), "GREETING=howdy");
        String id = (String) started.get("id");
        assertEquals("queued", started.get("status"));
        String image = (String) started.get("image");
        assertTrue(image.startsWith("stacyvm.invalid/"), image);

        List<Map<String, Object>> log = followLog(id);
        Map<String, Object> last = log.get(log.size() - 1);
        assertEquals("ready", last.get("status"), "the build's last log line: " + log);
        String text = logText(log);
        assertTrue(text.contains("line 8: RUN ls /sys/class/net"), text);

        api().get("/environments/builds/{id}", id).then().statusCode(200).body("status", equalTo("ready"))
                .body("digest_local", containsString("sha256:")).body("artifacts[0].status", equalTo("ready"));
        api().get("/environments/builds/{id}/spawn-config", id).then().statusCode(200).body("ready", equalTo(true))
                .body("image", equalTo(image)).body("target", equalTo("local"));

        String sandbox = sandboxes.create(Map.of("image", image, "ttl", "5m"));
        assertEquals("howdy from a build\n", stdout(sandbox, "cat /srv/app/greeting.txt"));
        assertEquals("lo\n", stdout(sandbox, "cat /srv/app/interfaces.txt"), "the build's steps had no network");
        assertEquals("0\n", stdout(sandbox, "cat /srv/app/built-as.txt"));
        // root in the build, but only with the file-ownership capabilities (CHOWN, DAC_OVERRIDE,
        // FOWNER, FSETID, SETGID, SETUID: 0xdb), under the sandbox's seccomp profile and limits
        assertEquals("CapEff: 00000000000000db\nNoNewPrivs: 1\nSeccomp: 2\n", stdout(sandbox, "cat /srv/app/status.txt"));
        // cgroup v2's files, or v1's
        assertEquals((1024L * 1024 * 1024) + "\n512\n", stdout(sandbox, "cat /srv/app/limits.txt"));
        assertEquals("app from the context\n", stdout(sandbox, "cd /srv/app && python3 app.py"));
        assertEquals("sandbox\nnotes\n", stdout(sandbox, "stat -c %U /srv/data/notes.txt && cat /srv/data/notes.txt"));
        assertEquals("howdy\n", stdout(sandbox, "echo $APP_GREETING"));
        // $PATH in an ENV is the base image's, as in Docker's builder
        assertEquals("/srv/tools:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n", stdout(sandbox, "echo $PATH"));
        // the image is configured as the Dockerfile said, nothing of the build sandbox in it
        var config = Suite.docker().inspectImageCmd(image).exec().getConfig();
        assertEquals(List.of("python3", "app.py"), List.of(config.getCmd()));
        assertTrue(config.getEntrypoint() == null || config.getEntrypoint().length == 0, "no entrypoint of the build's");
        assertEquals("/srv/app", config.getWorkingDir());
        assertTrue(List.of(config.getEnv()).contains("APP_GREETING=howdy"), List.of(config.getEnv()).toString());
        assertFalse(String.join(" ", config.getEnv()).contains("STACYVM_SANDBOX_ID"), "no build sandbox's variables");

        // another tenant cannot run it, even knowing its name
        try (Suite.Keys keys = new Suite.Keys()) {
            String outsider = keys.issue("builds-other-" + suffix, "user");
            as(outsider).body(Map.of("image", image, "ttl", "5m")).post("/sandboxes").then().statusCode(404)
                    .body("code", equalTo("not_found"));
            as(outsider).get("/environments/builds/{id}", id).then().statusCode(404);
            as(outsider).delete("/environments/builds/{id}", id).then().statusCode(404);
        }
        // its image is in use: the build stays until the sandbox goes, then goes with its image
        api().delete("/environments/builds/{id}", id).then().statusCode(409);
        api().delete("/sandboxes/{id}", sandbox).then().statusCode(200);
        api().delete("/environments/builds/{id}", id).then().statusCode(200);
        org.junit.jupiter.api.Assertions.assertThrows(com.github.dockerjava.api.exception.NotFoundException.class,
                () -> Suite.docker().inspectImageCmd(image).exec(), "the build's image is gone with it");
    }

    @Test
    void aSpecBuildInstallsAPackageFromTheIndexItsEgressAllows() throws Exception {
        Path index = Files.createTempDirectory("stacyvm-test-index-");
        folders.add(index);
        String marker = "index-" + suffix;
        Files.writeString(index.resolve("index.html"), marker);
        Path project = Files.createDirectories(index.resolve("simple/stacyvm-hello"));
        String wheel = "stacyvm_hello-1.0-py3-none-any.whl";
        Files.write(project.resolve(wheel), wheel("hello from a wheel " + suffix));
        Files.writeString(project.resolve("index.html"), "<html><body><a href=\"" + wheel + "\">" + wheel
                + "</a></body></html>");
        testHosts.serve(INDEX_HOST, "203.0.113.1", index, marker);

        String spec = api().body(Map.of("name", "hello-" + suffix, "base_image", BASE,
                        "python_packages", List.of("stacyvm-hello==1.0"), "python_version", "3",
                        "pip_index_url", "http://" + INDEX_HOST + "/simple/",
                        "network_policy", Map.of("default_egress", "deny", "allow", List.of(INDEX_HOST))))
                .post("/environments/specs").then().statusCode(201).body("base_image", equalTo(BASE))
                .extract().path("id");
        String id = api().body(Map.of("spec_id", spec)).post("/environments/builds").then().statusCode(201)
                .body("spec_id", equalTo(spec)).extract().path("id");
        List<Map<String, Object>> log = followLog(id);
        assertEquals("ready", log.get(log.size() - 1).get("status"), "the build's last log line: " + log);
        assertTrue(logText(log).contains("Successfully installed stacyvm-hello-1.0"), logText(log));

        String image = api().get("/environments/builds/{id}/spawn-config", id).then().statusCode(200)
                .extract().path("image");
        String sandbox = sandboxes.create(Map.of("image", image, "ttl", "5m"));
        assertEquals("hello from a wheel " + suffix + "\n",
                stdout(sandbox, "python3 -c 'import stacyvm_hello; print(stacyvm_hello.GREETING)'"));

        api().delete("/environments/specs/{id}", spec).then().statusCode(200);
        api().get("/environments/specs/{id}", spec).then().statusCode(404);
    }

    @Test
    void aCancelledBuildEndsCanceledItsSandboxHiddenFromItsOwnerAndThenGone() throws Exception {
        try (Suite.Keys keys = new Suite.Keys()) {
            String key = keys.issue("builds-" + suffix, "user");
            Map<String, byte[]> context = Map.of("Dockerfile",
                    "FROM stacyvm/base:bookworm\nRUN echo started && sleep 300\n".getBytes(StandardCharsets.UTF_8));
            String id = dockerfileBuild(as(key), "slow-" + suffix, tar(context)).get("id").toString();
            String second = dockerfileBuild(as(key), "slow2-" + suffix, tar(context)).get("id").toString();
            // an owner has two builds at once at the most
            as(key).contentType("application/x-tar").queryParam("name", "third").body(tar(context))
                    .post("/environments/builds").then().statusCode(429).body("code", equalTo("resource_limit"));
            as(key).post("/environments/builds/{id}/cancel", second).then().statusCode(200);

            String step = "";
            for (int attempt = 0; attempt < 120 && !step.contains("sleep 300"); attempt++) {
                Thread.sleep(500);
                step = as(key).get("/environments/builds/{id}", id).then().statusCode(200).extract().path("current_step");
            }
            assertTrue(step.contains("sleep 300"), "the build reached its long step: " + step);
            // the build sandbox is root with capabilities: its owner can neither see nor drive it
            List<String> buildSandboxes = buildSandboxes(id);
            assertEquals(1, buildSandboxes.size(), "the administrator sees the build's sandbox");
            as(key).get("/sandboxes").then().statusCode(200).body("size()", equalTo(0));
            as(key).get("/sandboxes/{id}", buildSandboxes.get(0)).then().statusCode(404);
            as(key).body(Map.of("command", "id")).post("/sandboxes/{id}/exec", buildSandboxes.get(0)).then()
                    .statusCode(404);
            as(key).body(Map.of("ttl", "2h")).post("/sandboxes/{id}/extend", buildSandboxes.get(0)).then()
                    .statusCode(404);

            as(key).post("/environments/builds/{id}/cancel", id).then().statusCode(200)
                    .body("status", equalTo("canceled"));
            as(key).post("/environments/builds/{id}/cancel", id).then().statusCode(409).body("code", equalTo("conflict"));
            as(key).get("/environments/builds/{id}/spawn-config", id).then().statusCode(200).body("ready", equalTo(false));
            List<Map<String, Object>> log = followLog(as(key), id);
            assertEquals("canceled", log.get(log.size() - 1).get("status"));

            // the build sandbox is destroyed, and nothing of the build is left running
            List<String> running = buildSandboxes;
            for (int attempt = 0; attempt < 60 && !running.isEmpty(); attempt++) {
                Thread.sleep(500);
                running = buildSandboxes(id);
            }
            assertEquals(List.of(), running, "no build sandbox is left");
            as(key).delete("/environments/builds/{id}", id).then().statusCode(200);
            as(key).get("/environments/builds/{id}", id).then().statusCode(404);
        }
    }

    /** The build's sandboxes not yet destroyed, as the administrator sees them. */
    private static List<String> buildSandboxes(String buildId) {
        return api().get("/sandboxes").then().statusCode(200).extract().jsonPath()
                .getList("findAll { it.metadata?.'stacyvm.build' == '" + buildId + "' && it.state != 'destroyed' }.id");
    }

    @Test
    void aBuildIsRefusedWhatTheCreateWouldBe() throws Exception {
        String tenant = "buildpol-" + suffix;
        try (Suite.Keys keys = new Suite.Keys()) {
            String key = keys.issue(tenant, "user");
            api().body(Map.of("deny", List.of("alpine"))).put("/tenants/{t}/image-policy", tenant).then().statusCode(200);
            try {
                as(key).body(Map.of("name", "denied", "base_image", "alpine:latest")).post("/environments/specs").then()
                        .statusCode(403).body("code", equalTo("image_not_allowed"));
                Map<String, byte[]> context = Map.of("Dockerfile", "FROM alpine\nRUN true\n".getBytes(StandardCharsets.UTF_8));
                as(key).contentType("application/x-tar").queryParam("name", "denied").body(tar(context))
                        .post("/environments/builds").then().statusCode(403).body("code", equalTo("image_not_allowed"));
                Map<String, byte[]> multiStage = Map.of("Dockerfile",
                        "FROM stacyvm/base:bookworm AS a\nFROM stacyvm/base:bookworm\n".getBytes(StandardCharsets.UTF_8));
                as(key).contentType("application/x-tar").queryParam("name", "two").body(tar(multiStage))
                        .post("/environments/builds").then().statusCode(400)
                        .body("message", containsString("Dockerfile line 2"));
                as(key).body(Map.of("name", "bad", "base_image", BASE, "python_packages", List.of("--index-url=http://x/")))
                        .post("/environments/specs").then().statusCode(400);
            } finally {
                api().delete("/tenants/{t}/image-policy", tenant);
            }
        }
    }

    @Test
    void onlyABuildsSandboxBecomesAnImageAndNoWorkerPullsABuildsName() throws Exception {
        String sandbox = sandboxes.create(Map.of("ttl", "5m"));
        // the control plane itself cannot commit, or read the image of, a sandbox that is not a build's
        io.restassured.RestAssured.given().baseUri(Suite.WORKER_URL).header("X-Service-Token", Suite.SERVICE_TOKEN)
                .contentType(ContentType.JSON).body(Map.of("reference", "stacyvm.invalid/x/stolen:bld-1", "base_image", BASE))
                .post("/internal/sandboxes/{id}/commit", sandbox).then().statusCode(400)
                .body("message", containsString("not a build's sandbox"));
        io.restassured.RestAssured.given().baseUri(Suite.WORKER_URL).header("X-Service-Token", Suite.SERVICE_TOKEN)
                .get("/internal/sandboxes/{id}/image-config", sandbox).then().statusCode(400);
        io.restassured.RestAssured.given().baseUri(Suite.WORKER_URL).contentType(ContentType.JSON)
                .body(Map.of("reference", "stacyvm.invalid/x/stolen:bld-1", "base_image", BASE))
                .post("/internal/sandboxes/{id}/commit", sandbox).then().statusCode(401);
        org.junit.jupiter.api.Assertions.assertThrows(com.github.dockerjava.api.exception.NotFoundException.class,
                () -> Suite.docker().inspectImageCmd("stacyvm.invalid/x/stolen:bld-1").exec(), "no image was made");

        // a build's name that no build of the caller's made is not found, and never pulled
        api().body(Map.of("image", "stacyvm.invalid/default/nothing:bld-000000000000", "ttl", "5m")).post("/sandboxes")
                .then().statusCode(404).body("code", equalTo("not_found"));
        String missing = "stacyvm.invalid/default/nothing:bld-000000000000";
        io.restassured.RestAssured.given().baseUri(Suite.WORKER_URL).header("X-Service-Token", Suite.SERVICE_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of("sandbox_id", "sb-0000000b0001", "owner_id", "default:test", "image", missing,
                        "memory_mb", 64, "vcpus", 1, "network", "none", "pids_limit", 64))
                .post("/internal/sandboxes").then().statusCode(400)
                .body("message", containsString("is a build's image and is not on this worker"));
        // and no create may pin itself to a worker: that label is the builds' own
        api().body(Map.of("ttl", "5m", "worker_labels", Map.of("stacyvm.dev/worker", "anything"))).post("/sandboxes")
                .then().statusCode(400).body("message", containsString("reserved"));
    }

    @Test
    void aSandboxOfABuildsImageIsNeverABuildSandboxAndThePolicyStillBindsIt() throws Exception {
        String tenant = "buildimg-" + suffix;
        try (Suite.Keys keys = new Suite.Keys()) {
            String key = keys.issue(tenant, "user");
            Map<String, byte[]> context = Map.of("Dockerfile",
                    "FROM stacyvm/base:bookworm\nLABEL note=mine\nRUN true\n".getBytes(StandardCharsets.UTF_8));
            String id = dockerfileBuild(as(key), "plain-" + suffix, tar(context)).get("id").toString();
            List<Map<String, Object>> log = followLog(as(key), id);
            assertEquals("ready", log.get(log.size() - 1).get("status"), "the build's last log line: " + log);
            String image = as(key).get("/environments/builds/{id}/spawn-config", id).then().statusCode(200)
                    .extract().path("image");

            // nothing in the image speaks for the worker: its own labels are there only emptied
            Map<String, String> labels = Suite.docker().inspectImageCmd(image).exec().getConfig().getLabels();
            assertEquals("mine", labels.get("note"));
            labels.forEach((name, value) -> assertTrue(!name.startsWith("dev.stacyvm.") || value.isEmpty()
                    || name.equals("dev.stacyvm.base-image"), "a worker label in the built image: " + name + "=" + value));

            // a sandbox of the image is an ordinary one: the control plane cannot commit it either
            String sandbox = as(key).body(Map.of("image", image, "ttl", "5m")).post("/sandboxes").then()
                    .statusCode(201).extract().path("id");
            sandboxes.adopt(sandbox);
            io.restassured.RestAssured.given().baseUri(Suite.WORKER_URL).header("X-Service-Token", Suite.SERVICE_TOKEN)
                    .contentType(ContentType.JSON)
                    .body(Map.of("reference", "stacyvm.invalid/x/copied:bld-2", "base_image", image))
                    .post("/internal/sandboxes/{id}/commit", sandbox).then().statusCode(400)
                    .body("message", containsString("not a build's sandbox"));
            api().delete("/sandboxes/{id}", sandbox).then().statusCode(200);

            // a policy set after the build binds the image it made: its base is checked again
            api().body(Map.of("deny", List.of("stacyvm/base:*"))).put("/tenants/{t}/image-policy", tenant).then()
                    .statusCode(200);
            try {
                as(key).body(Map.of("image", image, "ttl", "5m")).post("/sandboxes").then().statusCode(403)
                        .body("code", equalTo("image_not_allowed"));
            } finally {
                api().delete("/tenants/{t}/image-policy", tenant);
            }
            as(key).delete("/environments/builds/{id}", id).then().statusCode(200);
        }
        // every spelling of the builds' registry is a build's name: none is pulled from anywhere
        for (String spelling : List.of("stacyvm.invalid:443/default/x:bld-1", "STACYVM.INVALID/default/x:bld-1",
                "stacyvm.invalid./default/x:bld-1")) {
            api().body(Map.of("image", spelling, "ttl", "5m")).post("/sandboxes").then().statusCode(404);
        }
        api().body(Map.of("ttl", "5m", "metadata", Map.of("stacyvm.build", "bld-000000000000"))).post("/sandboxes")
                .then().statusCode(400).body("message", containsString("stacyvm.build"));
    }

    // ---------------------------------------------------------------- helpers

    private Map<String, Object> dockerfileBuild(String name, byte[] context, String... buildArgs) {
        return dockerfileBuild(api(), name, context, buildArgs);
    }

    private static Map<String, Object> dockerfileBuild(io.restassured.specification.RequestSpecification as, String name,
            byte[] context, String... buildArgs) {
        var request = as.contentType("application/x-tar").accept(ContentType.JSON).queryParam("name", name);
        for (String arg : buildArgs) {
            request = request.queryParam("build_arg", arg);
        }
        return request.body(context).post("/environments/builds").then().statusCode(201).extract().jsonPath()
                .getMap("$");
    }

    /** The build's NDJSON log followed to its end (the build's own timeout bounds it). */
    private static List<Map<String, Object>> followLog(String id) {
        return followLog(api(), id);
    }

    private static List<Map<String, Object>> followLog(io.restassured.specification.RequestSpecification as, String id) {
        String body = as.accept("application/x-ndjson").get("/environments/builds/{id}/logs", id).then()
                .statusCode(200).extract().asString();
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isBlank()) {
                lines.add(io.restassured.path.json.JsonPath.from(line).getMap("$"));
            }
        }
        assertFalse(lines.isEmpty(), "the log stream has lines");
        return lines;
    }

    private static String logText(List<Map<String, Object>> lines) {
        StringBuilder text = new StringBuilder();
        lines.forEach(line -> text.append(line.getOrDefault("data", "")));
        return text.toString();
    }

    private static String stdout(String sandbox, String command) {
        return Suite.exec(sandbox, Map.of("command", command)).then().statusCode(200).body("exit_code", equalTo(0))
                .extract().path("stdout");
    }

    private static byte[] tar(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
                entry.setSize(file.getValue().length);
                entry.setMode(0644);
                tar.putArchiveEntry(entry);
                tar.write(file.getValue());
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** A pure-Python wheel (PEP 427) of {@code stacyvm_hello} 1.0 whose {@code GREETING} is {@code greeting}. */
    private static byte[] wheel(String greeting) throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("stacyvm_hello/__init__.py", ("GREETING = '" + greeting + "'\n").getBytes(StandardCharsets.UTF_8));
        files.put("stacyvm_hello-1.0.dist-info/METADATA",
                "Metadata-Version: 2.1\nName: stacyvm-hello\nVersion: 1.0\n".getBytes(StandardCharsets.UTF_8));
        files.put("stacyvm_hello-1.0.dist-info/WHEEL",
                "Wheel-Version: 1.0\nGenerator: stacyvm-system-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
                        .getBytes(StandardCharsets.UTF_8));
        StringBuilder record = new StringBuilder();
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(file.getValue());
            record.append(file.getKey()).append(",sha256=")
                    .append(Base64.getUrlEncoder().withoutPadding().encodeToString(digest)).append(',')
                    .append(file.getValue().length).append('\n');
        }
        record.append("stacyvm_hello-1.0.dist-info/RECORD,,\n");
        files.put("stacyvm_hello-1.0.dist-info/RECORD", record.toString().getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(file.getKey()));
                zip.write(file.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
