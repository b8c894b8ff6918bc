package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static dev.stacyvm.systemtests.Suite.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.PushResponseItem;
import io.restassured.response.Response;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A private repository behind htpasswd auth (Debian's docker-registry, started by this test on a
 * free loopback port): a tenant's registry connection pulls from it, the connection's secret is
 * never answered back, and another tenant never runs the image, though the worker already has it.
 */
class PrivateRegistryTest {

    private static final String BASE = "stacyvm/base:bookworm";
    private static final String USER = "puller";
    private static final String PASSWORD = "pw-" + UUID.randomUUID();
    private static Path dir;
    private static Process registry;
    private static String host;

    @BeforeAll
    static void aRegistryWithHtpasswdAuthRunsOnLoopback() throws Exception {
        dir = Files.createTempDirectory("stacyvm-private-registry");
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        host = "127.0.0.1:" + port;
        Files.writeString(dir.resolve("htpasswd"),
                USER + ":" + BCrypt.withDefaults().hashToString(10, PASSWORD.toCharArray()) + "\n");
        Files.writeString(dir.resolve("config.yml"), String.join("\n",
                "version: 0.1",
                "log:",
                "  level: warn",
                "storage:",
                "  filesystem:",
                "    rootdirectory: " + dir.resolve("data"),
                "  delete:",
                "    enabled: true",
                "auth:",
                "  htpasswd:",
                "    realm: stacyvm-test",
                "    path: " + dir.resolve("htpasswd"),
                "http:",
                "  addr: " + host,
                ""));
        registry = new ProcessBuilder("docker-registry", "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        for (int attempt = 0; attempt < 60 && !answers(); attempt++) {
            Thread.sleep(250);
        }
        assertTrue(answers(), "the private registry answers on " + host + ": " + Files.readString(dir.resolve("registry.log")));
    }

    /** Whether the registry answers its API root (401: it wants a login). */
    private static boolean answers() {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create("http://" + host + "/v2/").toURL().openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(1000);
            return connection.getResponseCode() == 401;
        } catch (IOException notYet) {
            return false;
        }
    }

    @AfterAll
    static void theRegistryIsStopped() throws Exception {
        if (registry != null) {
            registry.destroy();
            registry.waitFor(10, TimeUnit.SECONDS);
        }
        if (dir != null) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** Pushes the base image into the private registry as {@code repository:tag}; removes the local name. */
    private static String pushPrivate(String repository, String tag) throws Exception {
        String remote = host + "/" + repository;
        Suite.docker().tagImageCmd(BASE, remote, tag).exec();
        try {
            Suite.docker().pushImageCmd(remote).withTag(tag)
                    .withAuthConfig(new AuthConfig().withRegistryAddress(host).withUsername(USER).withPassword(PASSWORD))
                    .exec(new ResultCallback.Adapter<PushResponseItem>()).awaitCompletion(120, TimeUnit.SECONDS);
        } finally {
            Suite.docker().removeImageCmd(remote + ":" + tag).withNoPrune(true).exec();
        }
        return remote + ":" + tag;
    }

    private static void removeImage(String image) {
        try {
            Suite.docker().removeImageCmd(image).withForce(true).exec();
        } catch (com.github.dockerjava.api.exception.NotFoundException gone) {
            // never pulled
        }
    }

    @Test
    void aPrivateImageRunsForTheTenantWhoseConnectionPullsItAndForNoOtherTenant() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String image = pushPrivate("private-" + suffix + "/app", "1");
        List<String> sandboxes = new ArrayList<>();
        try (Suite.Keys keys = new Suite.Keys()) {
            String owner = keys.issue("priv-a-" + suffix, "user");
            String other = keys.issue("priv-b-" + suffix, "user");

            as(owner).body(Map.of("image", image, "ttl", "5m")).post("/sandboxes").then().statusCode(400)
                    .body("message", containsString("could not be pulled"));

            Response saved = as(owner).body(Map.of("registry", host, "username", USER, "secret_ref", PASSWORD))
                    .post("/environments/registry-connections");
            saved.then().statusCode(201).body("registry", equalTo(host)).body("username", equalTo(USER))
                    .body("tenant", equalTo("priv-a-" + suffix));
            assertFalse(saved.asString().contains(PASSWORD), "the secret is never answered back: " + saved.asString());
            String connection = saved.path("id");
            String listed = as(owner).get("/environments/registry-connections").then().statusCode(200)
                    .body("id", hasItem(connection)).extract().asString();
            assertFalse(listed.contains(PASSWORD), "nor listed: " + listed);
            as(other).get("/environments/registry-connections").then().statusCode(200)
                    .body("id", not(hasItem(connection)));
            as(other).delete("/environments/registry-connections/{id}", connection).then().statusCode(404);

            Response created = as(owner).body(Map.of("image", image, "ttl", "5m")).post("/sandboxes");
            created.then().statusCode(201).body("image_digest", containsString("sha256:"));
            sandboxes.add(created.path("id"));
            String digest = created.path("image_digest");
            String registryDigest = Suite.docker().inspectImageCmd(image).exec().getRepoDigests().stream()
                    .filter(name -> name.startsWith(host + "/")).map(name -> name.substring(name.indexOf('@') + 1))
                    .findFirst().orElseThrow();
            assertEquals(registryDigest, digest, "the sandbox shows the digest the registry served");

            // the worker holds the image now; the other tenant must still prove its access
            // in the words a missing image gets: the refusal tells no one what another tenant pulled
            as(other).body(Map.of("image", image, "ttl", "5m")).post("/sandboxes").then().statusCode(400)
                    .body("message", containsString("could not be pulled"));
            as(other).body(Map.of("registry", host, "username", USER, "secret_ref", "wrong-" + PASSWORD))
                    .post("/environments/registry-connections").then().statusCode(201);
            as(other).body(Map.of("image", image, "ttl", "5m")).post("/sandboxes").then().statusCode(400);

            Response again = as(owner).body(Map.of("image", image, "ttl", "5m")).post("/sandboxes");
            again.then().statusCode(201);
            sandboxes.add(again.path("id"));
            for (String id : sandboxes) {
                as(owner).delete("/sandboxes/{id}", id).then().statusCode(200);
            }
            as(owner).delete("/environments/registry-connections/{id}", connection).then().statusCode(200);
        } finally {
            for (String id : sandboxes) {
                api().delete("/sandboxes/{id}", id);
            }
            removeImage(image);
        }
    }

    @Test
    void aRegistryConnectionNeedsAUsernameASecretAndAHostAndOneKeyOfATenantIsEnough() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        try (Suite.Keys keys = new Suite.Keys()) {
            String owner = keys.issue("conn-" + suffix, "user");
            String viewer = keys.issue("conn-" + suffix, "viewer");
            as(owner).body(Map.of("registry", host, "secret_ref", "x")).post("/environments/registry-connections")
                    .then().statusCode(400).body("message", containsString("username"));
            as(owner).body(Map.of("registry", host, "username", USER)).post("/environments/registry-connections")
                    .then().statusCode(400).body("message", containsString("secret_ref"));
            as(owner).body(Map.of("registry", "not a host", "username", USER, "password", "x"))
                    .post("/environments/registry-connections").then().statusCode(400);
            as(viewer).body(Map.of("registry", host, "username", USER, "password", "x"))
                    .post("/environments/registry-connections").then().statusCode(403);
            String id = as(owner).body(Map.of("provider", "dockerhub", "username", USER, "password", "x"))
                    .post("/environments/registry-connections").then().statusCode(201)
                    .body("registry", equalTo("docker.io")).body("is_default", equalTo(true)).extract().path("id");
            as(owner).body(Map.of("provider", "dockerhub", "username", USER, "password", "y"))
                    .post("/environments/registry-connections").then().statusCode(409);
            as(owner).body(Map.of("id", id, "provider", "dockerhub", "username", USER, "password", "y"))
                    .post("/environments/registry-connections").then().statusCode(200).body("id", equalTo(id));
            as(viewer).get("/environments/registry-connections").then().statusCode(200).body("id", hasItem(id));
            as(owner).delete("/environments/registry-connections/{id}", id).then().statusCode(200);
            as(owner).delete("/environments/registry-connections/{id}", id).then().statusCode(404);
        }
    }
}
