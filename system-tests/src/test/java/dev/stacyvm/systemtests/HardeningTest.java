package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hardening that does not depend on the image: a fixed non-root user (root only for a template an
 * administrator allowed), the project's own seccomp profile, and an optional read-only root.
 */
class HardeningTest {

    /** The worker's sandbox user; the test instance keeps the default. */
    private static final String SANDBOX_USER = System.getProperty("stacyvm.sandbox-user", "1000:1000");
    /** An image whose USER is root and whose /workspace belongs to root, built from the base image. */
    private static final String ROOT_IMAGE = "stacyvm-test/root-user:" + UUID.randomUUID().toString().substring(0, 8);
    /** io_uring_setup on x86_64: Docker's own default profile (20.10) allows it. */
    private static final String IO_URING_SETUP = "import ctypes, os\n"
            + "libc = ctypes.CDLL(None, use_errno=True)\n"
            + "params = ctypes.create_string_buffer(120)\n"
            + "fd = libc.syscall(425, 1, params)\n"
            + "print('allowed' if fd >= 0 else 'refused:' + os.strerror(ctypes.get_errno()))\n";

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();
    private final List<String> templates = new ArrayList<>();
    private final List<String> keyIds = new ArrayList<>();
    private final List<Runnable> undo = new ArrayList<>();

    @BeforeAll
    static void buildAnImageThatRunsAsRoot() throws IOException, InterruptedException {
        if (!Suite.DOCKER) {
            return; // another provider's images are not Docker's to build
        }
        Path context = Files.createTempDirectory("stacyvm-root-image");
        try {
            Files.writeString(context.resolve("Dockerfile"), "FROM stacyvm/base:bookworm\n"
                    + "USER root\n"
                    + "RUN chown 0:0 /workspace && chmod 0755 /workspace\n");
            Process build = new ProcessBuilder("docker", "build", "-q", "--network", "none", "-t", ROOT_IMAGE,
                    context.toString())
                    .redirectErrorStream(true).start();
            String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(build.waitFor(120, TimeUnit.SECONDS), "docker build finished");
            assertEquals(0, build.exitValue(), "docker build: " + output);
        } finally {
            Files.deleteIfExists(context.resolve("Dockerfile"));
            Files.deleteIfExists(context);
        }
        assertEquals("root", Suite.docker().inspectImageCmd(ROOT_IMAGE).exec().getConfig().getUser(),
                "the image itself says root");
    }

    @AfterAll
    static void removeTheImage() {
        if (!Suite.DOCKER) {
            return;
        }
        try {
            Suite.docker().removeImageCmd(ROOT_IMAGE).withForce(true).exec();
        } catch (RuntimeException alreadyGone) {
            // nothing left to clean up
        }
    }

    @AfterEach
    void cleanUp() {
        sandboxes.close();
        undo.forEach(Runnable::run);
        templates.forEach(name -> api().delete("/templates/{name}", name));
        keyIds.forEach(id -> api().delete("/admin/api-keys/{id}", id));
    }

    @Test
    void sandboxesRunAsANonRootUserWhateverTheImageSays() {
        Suite.assumeDocker("an image built to run as root, and the container's configured user");
        String id = sandboxes.create(Map.of("image", ROOT_IMAGE));
        InspectContainerResponse container = Suite.docker().inspectContainerCmd(Suite.containerOf(id)).exec();
        assertEquals(SANDBOX_USER, container.getConfig().getUser(), "the container's user is the worker's, not the image's");
        assertEquals(SANDBOX_USER.replace(':', ' ') + "\n", exec(id, "echo $(id -u) $(id -g)"));
        assertEquals("/workspace\n", exec(id, "echo $HOME"));

        // the files API writes as the sandbox user, into a /workspace the image gave to root
        api().body(Map.of("path", "/workspace/written.txt", "content", "hello\n")).post("/sandboxes/{id}/files", id)
                .then().statusCode(200).body("status", equalTo("written"));
        api().contentType("application/x-tar").body(FilesTest.Tar.build(tar -> tar.file("uploaded.txt", "up\n")))
                .queryParam("path", "/workspace/unpacked").put("/sandboxes/{id}/files/archive", id)
                .then().statusCode(200).body("status", equalTo("extracted"));
        assertEquals(SANDBOX_USER + "\n" + SANDBOX_USER + "\n" + SANDBOX_USER + "\n",
                exec(id, "find /workspace /workspace/written.txt /workspace/unpacked/uploaded.txt -maxdepth 0 -printf '%U:%G\\n'"));
        assertEquals("ok\n", exec(id, "touch /workspace/by-exec && echo ok"));
        // and it is not root: root's files stay out of reach
        api().body(Map.of("command", "touch /etc/passwd")).post("/sandboxes/{id}/exec", id)
                .then().statusCode(200).body("exit_code", not(equalTo(0))).body("stderr", containsString("Permission denied"));

        String plain = sandboxes.create(Map.of());
        assertEquals(SANDBOX_USER.replace(':', ' ') + "\n", exec(plain, "echo $(id -u) $(id -g)"));
    }

    @Test
    void onlyTemplatesAnAdminAllowedMayRunAsRoot() {
        // another provider has the base image alone: its root templates run that
        String image = Suite.DOCKER ? ROOT_IMAGE : "stacyvm/base:bookworm";
        String otherImage = Suite.DOCKER ? "stacyvm/base:bookworm" : "stacyvm/base:other";
        String tenant = "harden" + UUID.randomUUID().toString().substring(0, 6);
        String userKey = createKey("harden-user", tenant, "user");
        String operatorKey = createKey("harden-operator", tenant, "operator");
        String userTemplate = "harden-user-" + UUID.randomUUID().toString().substring(0, 8);
        undo.add(() -> as(userKey).delete("/templates/{name}", userTemplate));
        for (String key : List.of(userKey, operatorKey)) {
            as(key).body(Map.of("name", userTemplate, "image", image, "allow_root", true)).post("/templates")
                    .then().statusCode(403).body("code", equalTo("forbidden"));
        }
        as(userKey).body(Map.of("name", userTemplate, "image", image)).post("/templates")
                .then().statusCode(201).body("allow_root", is(false));
        as(userKey).body(Map.of("image", image, "allow_root", true)).put("/templates/{name}", userTemplate)
                .then().statusCode(403).body("code", equalTo("forbidden"));
        String userSandbox = as(userKey).body(Map.of()).post("/templates/{name}/spawn", userTemplate)
                .then().statusCode(201).extract().path("id");
        undo.add(() -> as(userKey).delete("/sandboxes/{id}", userSandbox));
        assertEquals(SANDBOX_USER.split(":")[0] + "\n", execAs(as(userKey), userSandbox, "id -u"));

        String rootTemplate = template("root");
        api().body(Map.of("name", rootTemplate, "image", image, "allow_root", true)).post("/templates")
                .then().statusCode(201).body("allow_root", is(true));
        String spawned = api().body(Map.of()).post("/templates/{name}/spawn", rootTemplate)
                .then().statusCode(201).extract().path("id");
        sandboxes.adopt(spawned);
        assertEquals("0\n", exec(spawned, "id -u"));
        String created = api().body(Map.of("template", rootTemplate)).post("/sandboxes")
                .then().statusCode(201).extract().path("id");
        sandboxes.adopt(created);
        assertEquals("0\n", exec(created, "id -u"));
        // root still has no capabilities: the kernel's own files stay out of reach
        assertEquals("CapEff:\t0000000000000000\n", exec(created, "grep CapEff /proc/self/status"));
        // root was allowed for the template's image, not for any image a create names
        api().body(Map.of("template", rootTemplate, "image", otherImage)).post("/sandboxes")
                .then().statusCode(400).body("code", equalTo("bad_request"));
        // a plain create cannot ask for root: the create has no such field, and what it sends is ignored
        String plain = api().body(Map.of("image", image, "allow_root", true, "run_as_root", true)).post("/sandboxes")
                .then().statusCode(201).extract().path("id");
        sandboxes.adopt(plain);
        assertEquals(SANDBOX_USER.split(":")[0] + "\n", exec(plain, "id -u"));
        // once an administrator takes allow_root away, the template's sandboxes run as the sandbox user
        api().body(Map.of("image", image)).put("/templates/{name}", rootTemplate)
                .then().statusCode(200).body("allow_root", is(false));
        String demoted = api().body(Map.of()).post("/templates/{name}/spawn", rootTemplate)
                .then().statusCode(201).extract().path("id");
        sandboxes.adopt(demoted);
        assertEquals(SANDBOX_USER.split(":")[0] + "\n", exec(demoted, "id -u"));
    }

    @Test
    void theShippedSeccompProfileIsInForce() throws IOException, InterruptedException {
        Suite.assumeDocker("the engine's seccomp profile (a microVM's boundary is its own kernel, docs/providers.md)");
        String id = sandboxes.create(Map.of());
        // the kernel filters the sandbox's calls (mode 2: a filter), and io_uring_setup is one it refuses
        assertEquals("Seccomp:\t2\n", exec(id, "grep '^Seccomp:' /proc/self/status"));
        assertEquals("refused:Operation not permitted\n", exec(id, "python3 -c \"$PROGRAM\"", Map.of("PROGRAM", IO_URING_SETUP)));
        assertEquals("still works\n", exec(id, "echo still works"));

        // the profile the engine holds for the container is the file the project ships, byte for byte as JSON
        InspectContainerResponse container = Suite.docker().inspectContainerCmd(Suite.containerOf(id)).exec();
        String option = container.getHostConfig().getSecurityOpts().stream().filter(opt -> opt.startsWith("seccomp="))
                .findFirst().orElseThrow(() -> new AssertionError("no seccomp profile passed: "
                        + container.getHostConfig().getSecurityOpts()));
        ObjectMapper json = new ObjectMapper();
        JsonNode shipped = json.readTree(Files.readString(shippedProfile()));
        assertEquals(shipped, json.readTree(option.substring("seccomp=".length())));

        // the engine's own default would have allowed it: the refusal is the shipped profile's doing
        assertEquals("allowed\n", runWithTheEnginesDefaultProfile(IO_URING_SETUP));
    }

    @Test
    void aReadOnlyRootFilesystemRefusesWritesOutsideTheWritablePaths() {
        Suite.assumeDocker("read_only_root is Docker's (another provider refuses it: SandboxRequests)");
        String id = sandboxes.create(Map.of("read_only_root", true, "image", ROOT_IMAGE));
        assertTrue(Suite.docker().inspectContainerCmd(Suite.containerOf(id)).exec().getHostConfig().getReadonlyRootfs());
        // runc's kernel answers EROFS; gVisor's checks the user's rights first (EACCES): either way the
        // root is mounted read-only, which is what is promised
        api().body(Map.of("command", "touch /usr/escape")).post("/sandboxes/{id}/exec", id)
                .then().statusCode(200).body("exit_code", not(equalTo(0))).body("stderr", org.hamcrest.Matchers.anyOf(
                        containsString("Read-only file system"), containsString("Permission denied")));
        assertEquals("ro\n", exec(id, "awk '$2 == \"/\" { split($4, o, \",\"); print o[1] }' /proc/mounts"),
                "the root file system is mounted read-only");
        assertEquals("written\n", exec(id, "touch /workspace/a /tmp/b /var/tmp/c \"$HOME/d\" && echo written"));
        api().body(Map.of("path", "/workspace/via-api.txt", "content", "x")).post("/sandboxes/{id}/files", id)
                .then().statusCode(200).body("status", equalTo("written"));
        assertEquals(SANDBOX_USER + "\n", exec(id, "find /workspace/via-api.txt -printf '%U:%G\\n'"));

        // a template may ask for it too
        String name = template("ro");
        api().body(Map.of("name", name, "read_only_root", true)).post("/templates")
                .then().statusCode(201).body("read_only_root", is(true));
        String spawned = api().body(Map.of()).post("/templates/{name}/spawn", name).then().statusCode(201).extract().path("id");
        sandboxes.adopt(spawned);
        api().body(Map.of("command", "touch /usr/escape")).post("/sandboxes/{id}/exec", spawned)
                .then().statusCode(200).body("exit_code", not(equalTo(0)));
        assertEquals("ok\n", exec(spawned, "touch /workspace/a && echo ok"));

        // and a sandbox that does not ask keeps a writable root
        String writable = sandboxes.create(Map.of());
        assertEquals("ok\n", exec(writable, "mkdir -p /workspace/x && touch /var/tmp/y && echo ok"));
    }

    // ---------------------------------------------------------------- helpers

    private String template(String kind) {
        String name = "harden-" + kind + "-" + UUID.randomUUID().toString().substring(0, 8);
        templates.add(name);
        return name;
    }

    private String createKey(String name, String tenant, String role) {
        Response created = api().body(Map.of("name", name, "tenant", tenant, "role", role)).post("/admin/api-keys");
        created.then().statusCode(201);
        keyIds.add(created.path("id"));
        return created.path("key");
    }

    private static RequestSpecification as(String key) {
        return RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").header("X-API-Key", key)
                .contentType(ContentType.JSON);
    }

    private static String exec(String id, String command) {
        return execAs(api(), id, command);
    }

    private static String exec(String id, String command, Map<String, String> env) {
        return api().body(Map.of("command", command, "env", env)).post("/sandboxes/{id}/exec", id)
                .then().statusCode(200).body("exit_code", equalTo(0)).extract().path("stdout");
    }

    private static String execAs(RequestSpecification caller, String id, String command) {
        return caller.body(Map.of("command", command)).post("/sandboxes/{id}/exec", id)
                .then().statusCode(200).body("exit_code", equalTo(0)).extract().path("stdout");
    }

    /** The worker's shipped profile, read from this checkout (the system tests run from it). */
    private static Path shippedProfile() {
        Path here = Path.of("").toAbsolutePath();
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("worker-service/src/main/resources/seccomp/sandbox.json");
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("worker-service/src/main/resources/seccomp/sandbox.json not found above " + here);
    }

    /**
     * Runs a python program in a container this test makes, hardened like a sandbox (no capabilities,
     * no-new-privileges, no network) but with the engine's default seccomp profile; answers its output.
     */
    private static String runWithTheEnginesDefaultProfile(String program) throws InterruptedException {
        var docker = Suite.docker();
        String name = "stacyvm-test-seccomp-" + UUID.randomUUID().toString().substring(0, 8);
        String containerId = docker.createContainerCmd("stacyvm/base:bookworm").withName(name)
                .withHostConfig(HostConfig.newHostConfig().withCapDrop(Capability.ALL)
                        .withSecurityOpts(List.of("no-new-privileges:true")).withNetworkMode("none"))
                .withCmd("python3", "-c", program).exec().getId();
        try {
            docker.startContainerCmd(containerId).exec();
            Integer status = docker.waitContainerCmd(containerId).start().awaitStatusCode(60, TimeUnit.SECONDS);
            assertEquals(0, status);
            StringBuilder output = new StringBuilder();
            docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true)
                    .exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            output.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                        }
                    }).awaitCompletion(30, TimeUnit.SECONDS);
            return output.toString();
        } finally {
            docker.removeContainerCmd(containerId).withForce(true).exec();
        }
    }
}
