package dev.stacyvm.systemtests;

import static io.restassured.RestAssured.given;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.restassured.builder.RequestSpecBuilder;
import io.restassured.filter.log.LogDetail;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The running suite under test: where its gateway answers, its admin key, and the Docker engine
 * its worker uses, so that tests can check what really happened to containers.
 */
final class Suite {

    static final String URL = System.getProperty("stacyvm.url", "http://127.0.0.1:7523");
    static final String API_KEY = System.getProperty("stacyvm.api-key", "");
    static final String WORKER_ID = System.getProperty("stacyvm.worker-id", "worker-test");
    /** The local worker's base URL (its internal routes only). */
    static final String WORKER_URL = System.getProperty("stacyvm.worker-url", "http://127.0.0.1:7525");
    static final int SCHEDULER_PORT = Integer.getInteger("stacyvm.scheduler-port", 7524);
    /** The audit service answers two ports above the scheduler unless told otherwise. */
    static final int AUDIT_PORT = Integer.getInteger("stacyvm.audit-port", SCHEDULER_PORT + 2);
    /** The control plane's service token, for tests that call internal routes directly. */
    static final String SERVICE_TOKEN = System.getProperty("stacyvm.service-token", "");
    /** The suite's PostgreSQL database, as its services reach it, and its user's password. */
    static final String DB_URL = System.getProperty("stacyvm.db-url", "jdbc:postgresql://127.0.0.1:7532/stacyvm");
    static final String DB_USER = "stacyvm";
    static final String DB_PASSWORD = System.getProperty("stacyvm.db-password", "");
    static final String LABEL_SANDBOX = "dev.stacyvm.sandbox-id";
    /**
     * The OCI runtime a create without one gets on this instance ({@code STACYVM_DEFAULT_RUNTIME});
     * the certification runs the containment suite under each runtime this way (docs/certification.md).
     */
    static final String DEFAULT_RUNTIME = System.getProperty("stacyvm.default-runtime", "runc");
    /**
     * The provider a create without one gets on this instance (the first of {@code STACYVM_PROVIDERS}
     * other than mock); the certification runs the containment suite against each provider this way.
     */
    static final String DEFAULT_PROVIDER = System.getProperty("stacyvm.default-provider", "docker");
    /** Whether this instance's sandboxes are Docker containers, which a check may inspect through the engine. */
    static final boolean DOCKER = DEFAULT_PROVIDER.equals("docker");
    /** Whether they are Docker containers under gVisor. */
    static final boolean GVISOR = DOCKER && DEFAULT_RUNTIME.equals("runsc");
    /**
     * Whether a create may ask for a network: gVisor runs here with its network stack off, and a
     * microVM has no network device (docs/providers.md).
     */
    static final boolean NETWORKS = DOCKER && DEFAULT_RUNTIME.equals("runc");

    /** Skips a check that needs networked sandboxes when this instance's default provider and runtime have none. */
    static void assumeNetworks() {
        org.junit.jupiter.api.Assumptions.assumeTrue(NETWORKS, "provider " + DEFAULT_PROVIDER + " with runtime " + DEFAULT_RUNTIME
                + " runs sandboxes without a network here, so a networked check does not apply");
    }

    /** Skips a check of what Docker itself holds (a container's settings, the engine's data root) on another provider. */
    static void assumeDocker(String why) {
        org.junit.jupiter.api.Assumptions.assumeTrue(DOCKER, "provider " + DEFAULT_PROVIDER + " has no Docker container: " + why);
    }

    private static DockerClient docker;

    private Suite() {
    }

    /** A request with the admin key, JSON in and out, logged only when an assertion fails. */
    /** Runs {@code body} as an exec in sandbox {@code id} as the suite's administrator. */
    static io.restassured.response.Response exec(String id, java.util.Map<String, Object> body) {
        return api().body(body).post("/sandboxes/{id}/exec", id);
    }

    static RequestSpecification api() {
        return given().spec(new RequestSpecBuilder()
                .setBaseUri(URL)
                .setBasePath("/api/v1")
                .addHeader("X-API-Key", API_KEY)
                .setContentType(ContentType.JSON)
                .build())
                .log().ifValidationFails(LogDetail.ALL);
    }

    /**
     * Builds {@code dockerfile} (no context, no network) into the instance's engine as {@code tag};
     * fails the test when the build does.
     */
    static void buildImage(String tag, String dockerfile) throws java.io.IOException, InterruptedException {
        Process build = new ProcessBuilder("docker", "build", "-q", "--network", "none", "-t", tag, "-")
                .redirectErrorStream(true).start();
        try (var in = build.getOutputStream()) {
            in.write(dockerfile.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String output = new String(build.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        org.junit.jupiter.api.Assertions.assertTrue(build.waitFor(120, java.util.concurrent.TimeUnit.SECONDS),
                "docker build finished");
        org.junit.jupiter.api.Assertions.assertEquals(0, build.exitValue(), "docker build: " + output);
    }

    /** A request with another API key, JSON in and out. */
    static RequestSpecification as(String apiKey) {
        return given().spec(new RequestSpecBuilder()
                .setBaseUri(URL)
                .setBasePath("/api/v1")
                .addHeader("X-API-Key", apiKey)
                .setContentType(ContentType.JSON)
                .build())
                .log().ifValidationFails(LogDetail.ALL);
    }

    /** API keys issued for one test, revoked when it ends. */
    static final class Keys implements AutoCloseable {
        private final List<String> ids = new ArrayList<>();

        /** Issues a key of {@code tenant} with {@code role}; answers its secret. */
        String issue(String tenant, String role) {
            io.restassured.response.Response issued = api()
                    .body(Map.of("name", "test-" + role, "tenant", tenant, "role", role)).post("/admin/api-keys");
            issued.then().statusCode(201);
            ids.add(issued.path("id"));
            return issued.path("key");
        }

        @Override
        public void close() {
            for (String id : ids) {
                api().delete("/admin/api-keys/{id}", id);
            }
        }
    }

    /** A request with no credentials at all. */
    static RequestSpecification anonymous() {
        return given().baseUri(URL).basePath("/api/v1").contentType(ContentType.JSON).log().ifValidationFails(LogDetail.ALL);
    }

    /** A connection to the suite's database, {@code schema} first on its search path (null: the default). */
    static java.sql.Connection database(String schema) throws java.sql.SQLException {
        return java.sql.DriverManager.getConnection(schema == null ? DB_URL : DB_URL + "?currentSchema=" + schema,
                DB_USER, DB_PASSWORD);
    }

    static synchronized DockerClient docker() {
        if (docker == null) {
            var config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                    .withDockerHost("unix:///var/run/docker.sock").build();
            docker = DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
                    .dockerHost(config.getDockerHost()).build());
        }
        return docker;
    }

    /**
     * The sandbox's container, running or not (none or one), found by its name: a container claimed
     * from the warm pool keeps the pool's labels, so the name is what every sandbox container has
     * (from just after its create is answered; {@link #container} waits for it).
     */
    static List<Container> containersOf(String sandboxId) {
        return docker().listContainersCmd().withShowAll(true)
                .withNameFilter(List.of("^/stacyvm-" + sandboxId + "$")).exec();
    }

    /**
     * The sandbox's one container; fails the test when there is none or more than one. A container
     * claimed from the warm pool gets the sandbox's name just after the create is answered, so this
     * waits for a name up to 5 seconds (polled every 50 ms).
     */
    static Container container(String sandboxId) {
        List<Container> containers = containersOf(sandboxId);
        for (int poll = 0; containers.isEmpty() && poll < 100; poll++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
                break;
            }
            containers = containersOf(sandboxId);
        }
        org.junit.jupiter.api.Assertions.assertEquals(1, containers.size(), "one container for " + sandboxId);
        return containers.get(0);
    }

    /**
     * The engine's {@code exec_create} events for the container between two instants (epoch seconds):
     * one per exec the worker ran through the engine's exec API instead of the sandbox's agent.
     */
    static List<String> engineExecsCreated(String container, long sinceSeconds, long untilSeconds)
            throws InterruptedException {
        List<String> execs = java.util.Collections.synchronizedList(new ArrayList<>());
        com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Event> collect =
                new com.github.dockerjava.api.async.ResultCallback.Adapter<>() {
                    @Override
                    public void onNext(com.github.dockerjava.api.model.Event event) {
                        execs.add(event.getAction());
                    }
                };
        docker().eventsCmd().withSince(String.valueOf(sinceSeconds)).withUntil(String.valueOf(untilSeconds))
                .withContainerFilter(container).withEventFilter("exec_create").exec(collect)
                .awaitCompletion(30, java.util.concurrent.TimeUnit.SECONDS);
        return List.copyOf(execs);
    }

    /** The id of the sandbox's one container, as {@link #container} finds it. */
    static String containerOf(String sandboxId) {
        return container(sandboxId).getId();
    }

    /** Creates sandboxes for one test and destroys whatever is left of them afterwards. */
    static final class Sandboxes implements AutoCloseable {
        private final List<String> ids = new ArrayList<>();

        String create(Map<String, Object> body) {
            String id = api().body(body).post("/sandboxes").then().statusCode(201).extract().path("id");
            ids.add(id);
            return id;
        }

        /** Destroys this sandbox too when the test ends. */
        void adopt(String id) {
            ids.add(id);
        }

        @Override
        public void close() {
            for (String id : ids) {
                api().delete("/sandboxes/{id}", id);
            }
        }
    }
}
