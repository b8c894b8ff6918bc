package dev.stacyvm.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.contract.internal.SandboxSpec;
import dev.stacyvm.gateway.service.InternalServices;
import dev.stacyvm.support.client.SchedulerApi;
import dev.stacyvm.testing.KafkaTestResource;
import dev.stacyvm.testing.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.ws.rs.ProcessingException;
import java.lang.reflect.RecordComponent;
import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/**
 * The gateway in process, with a real PostgreSQL (keys, quotas) and Kafka (its audit outbox), and
 * the scheduler replaced by a test double: who may create, what reaches the scheduler for a
 * caller, and how the scheduler's refusals and absence reach the caller.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(value = KafkaTestResource.class, initArgs = @ResourceArg(name = "topics", value = "stacyvm.audit-events"))
class SandboxResourceTest {

    private static final String ADMIN_KEY = "test-admin-key";
    private SchedulerApi scheduler;

    @BeforeEach
    void replaceTheScheduler() {
        scheduler = mock(SchedulerApi.class);
        InternalServices services = mock(InternalServices.class);
        when(services.scheduler()).thenReturn(scheduler);
        QuarkusMock.installMockForType(services, InternalServices.class);
    }

    /** A key made through the admin API, as an operator would make it: its secret. */
    private static String newKey(String name, String tenant, String role) {
        return given().header("X-API-Key", ADMIN_KEY).contentType(ContentType.JSON)
                .body(Map.of("name", name, "tenant", tenant, "role", role))
                .post("/api/v1/admin/api-keys").then().statusCode(201).extract().path("key");
    }

    /** A sandbox as the scheduler answers it: the id, state and owner given, every other field empty. */
    private static SandboxView sandbox(String id, String state, String ownerId) throws Exception {
        RecordComponent[] components = SandboxView.class.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            values[i] = switch (components[i].getName()) {
                case "id" -> id;
                case "state" -> state;
                case "ownerId" -> ownerId;
                case "image" -> "stacyvm/base:bookworm";
                default -> types[i] == int.class ? 0 : types[i] == long.class ? 0L : types[i] == boolean.class ? false : null;
            };
        }
        return SandboxView.class.getDeclaredConstructor(types).newInstance(values);
    }

    @Test
    void aCallerWithoutAKnownKeyReachesNothing() {
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/sandboxes").then().statusCode(401)
                .body("code", equalTo("unauthorized"));
        given().header("X-API-Key", "svm_not_a_key").contentType(ContentType.JSON).body("{}").post("/api/v1/sandboxes")
                .then().statusCode(401).body("code", equalTo("unauthorized"));
        verify(scheduler, never()).create(any());
    }

    @Test
    void aRemoteSandboxAsksForNoPreviewItsProviderCannotServe() throws Exception {
        // this profile's gateway offers docker and remote (application.properties, %test)
        String key = newKey("remote-" + UUID.randomUUID().toString().substring(0, 8), "acme", "user");
        given().header("X-API-Key", key).contentType(ContentType.JSON).body(Map.of("provider", "remote", "ports", List.of(8080)))
                .post("/api/v1/sandboxes").then().statusCode(400).body("code", equalTo("bad_request"))
                .body("message", equalTo("provider remote has no previews: ask for no ports and no public_preview"));
        given().header("X-API-Key", key).contentType(ContentType.JSON).body(Map.of("provider", "remote", "public_preview", true))
                .post("/api/v1/sandboxes").then().statusCode(400).body("code", equalTo("bad_request"));
        verify(scheduler, never()).create(any());
        when(scheduler.create(any())).thenReturn(sandbox("sb-0123456789ac", "running", "acme:x"));
        given().header("X-API-Key", key).contentType(ContentType.JSON).body(Map.of("provider", "remote"))
                .post("/api/v1/sandboxes").then().statusCode(201);
        ArgumentCaptor<SandboxSpec> spec = ArgumentCaptor.forClass(SandboxSpec.class);
        verify(scheduler).create(spec.capture());
        assertEquals("remote", spec.getValue().provider());
    }

    @Test
    void aProotOrMicrovmSandboxAsksForNoNetworkItsProviderCannotGive() {
        String key = newKey("proot-" + UUID.randomUUID().toString().substring(0, 8), "acme", "user");
        for (String provider : List.of("proot", "microvm")) {
            for (Map<String, Object> body : List.<Map<String, Object>>of(Map.of("provider", provider, "network", "bridge"),
                    Map.of("provider", provider, "ports", List.of(3000)), Map.of("provider", provider, "runtime", "runsc"),
                    Map.of("provider", provider, "read_only_root", true))) {
                given().header("X-API-Key", key).contentType(ContentType.JSON).body(body).post("/api/v1/sandboxes").then()
                        .statusCode(400).body("code", equalTo("bad_request"))
                        .body("message", org.hamcrest.Matchers.startsWith("provider " + provider + " has no network, runs no OCI runtime and has no read-only root"));
            }
        }
        verify(scheduler, never()).create(any());
    }

    @Test
    void aViewerKeyCannotCreate() {
        String viewer = newKey("viewer-" + UUID.randomUUID().toString().substring(0, 8), "acme", "viewer");
        given().header("X-API-Key", viewer).contentType(ContentType.JSON).body("{}").post("/api/v1/sandboxes").then()
                .statusCode(403).body("code", equalTo("forbidden"));
        verify(scheduler, never()).create(any());
    }

    @Test
    void aCreateReachesTheSchedulerAsTheKeysOwnerWithTheOwnersQuota() throws Exception {
        String name = "ci-" + UUID.randomUUID().toString().substring(0, 8);
        String key = newKey(name, "acme", "user");
        String owner = "acme:" + name;
        given().header("X-API-Key", ADMIN_KEY).contentType(ContentType.JSON)
                .body(Map.of("max_sandboxes", 2, "max_memory_mb", 4096, "max_vcpus", 2))
                .put("/api/v1/quotas/" + owner).then().statusCode(200);
        when(scheduler.create(any())).thenReturn(sandbox("sb-0123456789ab", "running", owner));

        given().header("X-API-Key", key).contentType(ContentType.JSON).body(Map.of("image", "stacyvm/base:bookworm"))
                .post("/api/v1/sandboxes").then().statusCode(201).body("id", equalTo("sb-0123456789ab"));

        ArgumentCaptor<SandboxSpec> spec = ArgumentCaptor.forClass(SandboxSpec.class);
        verify(scheduler).create(spec.capture());
        assertEquals(owner, spec.getValue().ownerId(), "the owner is the key's, never one the body names");
        assertEquals(2, spec.getValue().ownerLimits().maxSandboxes(), "the owner's quota goes with the create");
        assertEquals(4096, spec.getValue().ownerLimits().maxMemoryMb());
    }

    @Test
    void theSchedulersTypedRefusalReachesTheCallerWithItsRetryAfter() {
        when(scheduler.create(any())).thenThrow(new ApiException(ErrorCode.RESOURCE_LIMIT, "max_sandboxes (2) reached", 10L));
        given().header("X-API-Key", ADMIN_KEY).contentType(ContentType.JSON).body("{}").post("/api/v1/sandboxes").then()
                .statusCode(429).header("Retry-After", "10").body("code", equalTo("resource_limit"))
                .body("message", equalTo("max_sandboxes (2) reached"));
    }

    @Test
    void aSchedulerOutOfReachIsUnavailableNotABug() {
        when(scheduler.create(any())).thenThrow(new ProcessingException(new ConnectException("Connection refused")));
        given().header("X-API-Key", ADMIN_KEY).contentType(ContentType.JSON).body("{}").post("/api/v1/sandboxes").then()
                .statusCode(503).body("code", equalTo("unavailable"));
    }

    @Test
    void aRouteNoResourceServesIsATypedNotFound() {
        given().header("X-API-Key", ADMIN_KEY).get("/api/v1/no-such-thing").then().statusCode(404)
                .body("code", equalTo("not_found"));
    }
}
