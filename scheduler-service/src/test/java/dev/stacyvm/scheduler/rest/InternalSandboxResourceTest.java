package dev.stacyvm.scheduler.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.Certification;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.HostCapacity;
import dev.stacyvm.contract.event.Topics;
import dev.stacyvm.contract.image.RegistryCredential;
import dev.stacyvm.contract.internal.RuntimeHandle;
import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.contract.internal.RuntimeStatus;
import dev.stacyvm.contract.internal.WorkerRegistration;
import dev.stacyvm.scheduler.Sandbox;
import dev.stacyvm.scheduler.service.WorkerRegistry;
import dev.stacyvm.support.client.InternalClients;
import dev.stacyvm.support.client.WorkerApi;
import dev.stacyvm.testing.KafkaTestResource;
import dev.stacyvm.testing.PostgresTestResource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/**
 * The scheduler in process, with a real PostgreSQL (records, the admission lock, the outbox) and
 * Kafka (what the outbox publishes), and the worker replaced by a test double: quota totals hold
 * under concurrent creates, a create's state changes and route reach Kafka, and a worker's
 * refusal leaves nothing behind.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(value = KafkaTestResource.class, initArgs = @ResourceArg(name = "topics",
        value = "stacyvm.sandbox-events,stacyvm.audit-events"))
class InternalSandboxResourceTest {

    private static final String SERVICE_TOKEN = "test-service-token";
    private static final String WORKER = "worker-in-process";
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String DIGEST = "sha256:" + "4b".repeat(32);

    @Inject
    WorkerRegistry workers;

    private WorkerApi worker;

    @BeforeEach
    void aWorkerIsRegisteredAndAnswersThroughATestDouble() {
        workers.heartbeat(new WorkerRegistration(WORKER, "http://127.0.0.1:9", 64, List.of("docker"), Map.of(),
                "instance-1", 1, new HostCapacity(65536, 64, 100_000, 64, 4096, 1_000_000, 100_000, 1_000_000), List.of("runc"),
                List.of(new Certification(WORKER, "docker", "runc", Certification.CERTIFIED, "docker-runc.json",
                        java.time.Instant.parse("2026-12-01T10:00:00Z")))));
        // the worker's double keeps the runtimes it started, so the reconciler finds them running
        worker = mock(WorkerApi.class);
        Map<String, RuntimeStatus> runtimes = new ConcurrentHashMap<>();
        doAnswer(call -> {
            RuntimeSpec spec = call.getArgument(0);
            runtimes.put(spec.sandboxId(), new RuntimeStatus(spec.sandboxId(), "runtime-" + spec.sandboxId(), true, "running"));
            return new RuntimeHandle(spec.sandboxId(), "runtime-" + spec.sandboxId(), WORKER, Map.of(), "127.0.0.1",
                    DIGEST);
        }).when(worker).create(any());
        when(worker.runtimes()).thenAnswer(call -> List.copyOf(runtimes.values()));
        doAnswer(call -> {
            runtimes.remove((String) call.getArgument(0));
            return null;
        }).when(worker).destroy(anyString());
        InternalClients clients = mock(InternalClients.class);
        when(clients.forEndpoint(eq(WorkerApi.class), anyString(), any())).thenReturn(worker);
        QuarkusMock.installMockForType(clients, InternalClients.class);
    }

    private static Map<String, Object> spec(String owner, Integer maxSandboxes) {
        Map<String, Object> spec = new HashMap<>();
        spec.put("owner_id", owner);
        spec.put("image", "stacyvm/base:bookworm");
        spec.put("provider", "docker");
        spec.put("memory_mb", 256);
        spec.put("vcpus", 1);
        spec.put("ttl_seconds", 600);
        spec.put("network", "none");
        spec.put("pids_limit", 256);
        spec.put("disk_mb", 1024);
        if (maxSandboxes != null) {
            spec.put("owner_limits", Map.of("max_sandboxes", maxSandboxes, "max_memory_mb", 65536, "max_vcpus", 64));
        }
        return spec;
    }

    private static Response create(Map<String, Object> spec) {
        return given().header("X-Service-Token", SERVICE_TOKEN).contentType(ContentType.JSON).body(spec)
                .post("/internal/sandboxes");
    }

    @Test
    void concurrentCreatesNeverPassTheOwnersSandboxLimit() throws Exception {
        String owner = "acme:limits-" + UUID.randomUUID().toString().substring(0, 8);
        ExecutorService callers = Executors.newFixedThreadPool(6);
        try {
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                answers.add(callers.submit(() -> create(spec(owner, 2))));
            }
            Map<Integer, Integer> statuses = new HashMap<>();
            for (Future<Response> answer : answers) {
                Response response = answer.get(60, TimeUnit.SECONDS);
                statuses.merge(response.statusCode(), 1, Integer::sum);
                if (response.statusCode() == 429) {
                    assertEquals("resource_limit", response.jsonPath().getString("code"), response.asString());
                }
            }
            assertEquals(Map.of(200, 2, 429, 4), statuses, "two fit the limit of two, the other four are refused");
        } finally {
            callers.shutdownNow();
        }
        List<Object> live = given().header("X-Service-Token", SERVICE_TOKEN).queryParam("owner", owner)
                .get("/internal/sandboxes").then().statusCode(200).extract().jsonPath().getList("$");
        assertEquals(2, live.size());
    }

    @Test
    void aRegistryCredentialReachesTheWorkerAndIsNeverStoredAndTheDigestIsShown() {
        String owner = "acme:pull-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> spec = spec(owner, null);
        spec.put("image", "registry.example:5000/team/app:1");
        spec.put("registry_credential", Map.of("registry", "registry.example:5000", "username", "puller",
                "password", "pull-secret-" + owner));
        String id = create(spec).then().statusCode(200).body("image_digest", equalTo(DIGEST)).extract().path("id");
        ArgumentCaptor<RuntimeSpec> asked = ArgumentCaptor.forClass(RuntimeSpec.class);
        verify(worker, atLeastOnce()).create(asked.capture());
        RuntimeSpec sent = asked.getAllValues().stream().filter(runtime -> runtime.sandboxId().equals(id)).findFirst()
                .orElseThrow();
        assertEquals(new RegistryCredential("registry.example:5000", "puller", "pull-secret-" + owner),
                sent.registryCredential());
        given().header("X-Service-Token", SERVICE_TOKEN).get("/internal/sandboxes/" + id).then().statusCode(200)
                .body("image_digest", equalTo(DIGEST));
        long stored = QuarkusTransaction.requiringNew().call(() -> ((Number) Sandbox.getEntityManager()
                .createNativeQuery("select count(*) from sandbox where id = ?1 and cast(sandbox as text) like ?2")
                .setParameter(1, id).setParameter(2, "%pull-secret-%").getSingleResult()).longValue());
        assertEquals(0, stored, "the credential is in no column of the sandbox's record");
    }

    @Test
    void aCreatesStateChangesAndPreviewRouteReachKafkaThroughTheOutbox() throws Exception {
        String owner = "acme:events-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> spec = spec(owner, null);
        spec.put("network", "bridge");
        spec.put("ports", List.of(3000));
        String id = create(spec).then().statusCode(200).body("state", equalTo("running")).extract().path("id");
        List<String> states = new ArrayList<>();
        boolean routed = false;
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.SANDBOX_EVENTS, Topics.PREVIEW_ROUTES));
            Instant deadline = Instant.now().plus(PATIENCE);
            while ((!states.contains("running") || !routed) && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (!id.equals(record.key())) {
                        continue;
                    }
                    if (record.topic().equals(Topics.PREVIEW_ROUTES)) {
                        routed = true;
                    } else {
                        String to = record.value().replaceAll(".*\"to_state\":\"([a-z]+)\".*", "$1");
                        states.add(to);
                    }
                }
            }
        }
        assertEquals(List.of("creating", "running"), states.subList(0, Math.min(2, states.size())),
                "each state change once, in order, keyed by the sandbox: " + states);
        assertTrue(routed, "the preview route of " + id + " is on " + Topics.PREVIEW_ROUTES);
    }

    @Test
    void aRuntimeNoWorkerOffersIsRefusedAsUnavailableAndTheOfferedOneReachesTheWorker() {
        String owner = "acme:runtime-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> gvisor = spec(owner, null);
        gvisor.put("runtime", "runsc");
        // the registered worker's engine has runc only
        create(gvisor).then().statusCode(503).body("code", equalTo("unavailable"))
                .body("message", equalTo("no ready worker offers runtime runsc"));
        given().header("X-Service-Token", SERVICE_TOKEN).queryParam("owner", owner).get("/internal/sandboxes").then()
                .statusCode(200).body("size()", equalTo(0));
        String id = create(spec(owner, null)).then().statusCode(200).body("runtime", equalTo("runc"))
                .extract().path("id");
        ArgumentCaptor<RuntimeSpec> asked = ArgumentCaptor.forClass(RuntimeSpec.class);
        verify(worker, atLeastOnce()).create(asked.capture());
        assertEquals("runc", asked.getAllValues().stream().filter(runtime -> runtime.sandboxId().equals(id))
                .findFirst().orElseThrow().runtime(), "a spec that names none gets runc");
    }

    @Test
    void aSandboxIsPlacedOnlyOnAProviderAndRuntimeCertifiedOnTheWorkersHost() {
        // the engine has gVisor too, but only runc passed ./stacyvm certify on this host
        workers.heartbeat(new WorkerRegistration(WORKER, "http://127.0.0.1:9", 64, List.of("docker"), Map.of(),
                "instance-1", 1, new HostCapacity(65536, 64, 100_000, 64, 4096, 1_000_000, 100_000, 1_000_000),
                List.of("runc", "runsc"), List.of(
                        new Certification(WORKER, "docker", "runc", Certification.CERTIFIED, "docker-runc.json",
                                java.time.Instant.parse("2026-12-01T10:00:00Z")),
                        new Certification(WORKER, "docker", "runsc", Certification.FAILED, "docker-runsc.json",
                                java.time.Instant.parse("2026-12-01T11:00:00Z")))));
        String owner = "acme:certified-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> gvisor = spec(owner, null);
        gvisor.put("runtime", "runsc");
        create(gvisor).then().statusCode(503).body("code", equalTo("unavailable"))
                .body("message", startsWith("no ready worker has provider docker under runtime runsc certified on "
                        + "its host: run ./stacyvm certify --provider docker --runtime runsc there"));
        given().header("X-Service-Token", SERVICE_TOKEN).queryParam("owner", owner).get("/internal/sandboxes").then()
                .statusCode(200).body("size()", equalTo(0));
        create(spec(owner, null)).then().statusCode(200).body("runtime", equalTo("runc")).body("certified", equalTo(true));
        given().header("X-Service-Token", SERVICE_TOKEN).get("/internal/workers").then().statusCode(200)
                .body("find { it.id == '" + WORKER + "' }.certified", equalTo(List.of("docker/runc")));
    }

    @Test
    void aProviderNoWorkerOffersIsRefusedAsUnavailableAndTheWorkerIsToldTheProviderItRunsOn() {
        String owner = "acme:provider-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> mock = spec(owner, null);
        mock.put("provider", "mock");
        // the registered worker offers docker only: a mock sandbox is never placed on it
        create(mock).then().statusCode(503).body("code", equalTo("unavailable"))
                .body("message", equalTo("no ready worker offers provider mock"));
        given().header("X-Service-Token", SERVICE_TOKEN).queryParam("owner", owner).get("/internal/sandboxes").then()
                .statusCode(200).body("size()", equalTo(0));
        String id = create(spec(owner, null)).then().statusCode(200).extract().path("id");
        ArgumentCaptor<RuntimeSpec> asked = ArgumentCaptor.forClass(RuntimeSpec.class);
        verify(worker, atLeastOnce()).create(asked.capture());
        assertEquals("docker", asked.getAllValues().stream().filter(runtime -> runtime.sandboxId().equals(id))
                .findFirst().orElseThrow().provider());
    }

    @Test
    void aWorkerThatRefusesTheRequestLeavesNoSandboxBehind() {
        String owner = "acme:refused-" + UUID.randomUUID().toString().substring(0, 8);
        doThrow(new ApiException(ErrorCode.NOT_FOUND, "image nope:latest is not on this host")).when(worker).create(any());
        create(spec(owner, 1)).then().statusCode(404).body("code", equalTo("not_found"))
                .body("message", equalTo("image nope:latest is not on this host"));
        given().header("X-Service-Token", SERVICE_TOKEN).queryParam("owner", owner).get("/internal/sandboxes").then()
                .statusCode(200).body("size()", equalTo(0));
        doReturn(new RuntimeHandle("any", "runtime", WORKER, Map.of(), "127.0.0.1", null)).when(worker).create(any());
        create(spec(owner, 1)).then().statusCode(200).body("state", equalTo("running"));
    }

    @Test
    void theSchedulerAnswersOnlyTheServiceToken() {
        given().contentType(ContentType.JSON).body(spec("acme:x", null)).post("/internal/sandboxes").then().statusCode(401);
        given().header("X-Service-Token", "not-the-token").get("/internal/sandboxes").then().statusCode(401);
    }
}
