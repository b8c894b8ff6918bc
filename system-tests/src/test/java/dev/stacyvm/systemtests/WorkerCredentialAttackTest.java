package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, finding 9: each worker has its own credential, bound to its id, issued by an
 * administrator, stored as a hash, revocable. A stolen one lets its holder act as that worker
 * only: not as another worker, and not as the control plane.
 * <p>
 * A credential that authenticates answers {@code not_found} when it reports its own (never
 * registered) worker stopping; that is the proof it works, without registering a fake worker
 * that sandboxes could be placed on.
 */
class WorkerCredentialAttackTest {

    private final String workerId = "worker-attack-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    private final List<String> credentialIds = new ArrayList<>();
    private String credential;

    private static RequestSpecification scheduler() {
        return RestAssured.given().baseUri("http://127.0.0.1:" + Suite.SCHEDULER_PORT).contentType(ContentType.JSON)
                .log().ifValidationFails();
    }

    private String issue() {
        Response issued = api().post("/workers/{id}/credentials", workerId);
        issued.then().statusCode(201).body("worker_id", equalTo(workerId)).body("token", startsWith("swc_"))
                .body("revoked_at", nullValue());
        credentialIds.add(issued.path("id"));
        return issued.path("token");
    }

    @BeforeEach
    void aCredentialForAWorker() {
        credential = issue();
    }

    @AfterEach
    void revokeWhatTheTestIssued() {
        for (String id : credentialIds) {
            api().delete("/workers/{id}/credentials/{credential}", workerId, id);
        }
    }

    private int stopping(String asWorker, String presented) {
        return scheduler().header("X-Worker-Credential", presented).queryParam("instance", "attack")
                .post("/internal/workers/{id}/stopping", asWorker).statusCode();
    }

    private Map<String, Object> registration(String id) {
        return Map.of("id", id, "endpoint", "http://127.0.0.1:9", "capacity", 1, "providers", List.of("docker"),
                "labels", Map.of("zone", "attack"), "instance_id", "attack", "generation", 0);
    }

    @Test
    void issuedCredentialsAreShownOnceAndListedWithoutTheirSecret() {
        String listed = api().get("/workers/{id}/credentials", workerId).then().statusCode(200)
                .body("[0].worker_id", equalTo(workerId)).extract().asString();
        assertFalse(listed.contains(credential), "the listing never shows the credential");
        assertFalse(listed.contains("\"token\""), "the listing has no token field");
        assertEquals(404, stopping(workerId, credential), "the credential authenticates its own worker");
    }

    @Test
    void aWorkerCredentialCannotActAsAnotherWorker() {
        long generation = ((Number) api().get("/workers/{id}", Suite.WORKER_ID).path("generation")).longValue();
        String endpoint = api().get("/workers/{id}", Suite.WORKER_ID).path("endpoint");

        // the suite's own worker: no heartbeat, registration or stopping report in its name
        scheduler().header("X-Worker-Credential", credential).body(registration(Suite.WORKER_ID))
                .post("/internal/workers").then().statusCode(403).body("code", equalTo("forbidden"));
        assertEquals(403, stopping(Suite.WORKER_ID, credential));
        // nor a worker that does not exist yet
        String stranger = workerId + "-other";
        scheduler().header("X-Worker-Credential", credential).body(registration(stranger))
                .post("/internal/workers").then().statusCode(403);
        api().get("/workers/{id}", stranger).then().statusCode(404);
        // presented as a service token it is nothing
        scheduler().header("X-Service-Token", credential).body(registration(Suite.WORKER_ID))
                .post("/internal/workers").then().statusCode(401);
        // and the control plane's token does not make a worker either
        scheduler().header("X-Service-Token", Suite.SERVICE_TOKEN).body(registration(Suite.WORKER_ID))
                .post("/internal/workers").then().statusCode(401);

        api().get("/workers/{id}", Suite.WORKER_ID).then().statusCode(200).body("status", equalTo("ready"))
                .body("endpoint", equalTo(endpoint)).body("generation", equalTo((int) generation));
        // another worker's credentials are out of its reach too
        scheduler().header("X-Worker-Credential", credential).post("/internal/workers/{id}/credentials", Suite.WORKER_ID)
                .then().statusCode(401);
    }

    @Test
    void aWorkerCredentialCannotCallControlPlaneRoutes() throws Exception {
        String sandboxId = api().body(Map.of("ttl", "5m")).post("/sandboxes").then().statusCode(201).extract().path("id");
        try {
            String scheduler = "http://127.0.0.1:" + Suite.SCHEDULER_PORT;
            String audit = "http://127.0.0.1:" + Suite.AUDIT_PORT;
            String exec = "{\"command\": \"true\"}";
            List<String[]> routes = List.of(
                    new String[] {scheduler, "GET", "/internal/sandboxes", null},
                    new String[] {scheduler, "GET", "/internal/sandboxes/" + sandboxId, null},
                    new String[] {scheduler, "POST", "/internal/sandboxes", "{\"owner_id\": \"attack:x\"}"},
                    new String[] {scheduler, "DELETE", "/internal/sandboxes/" + sandboxId, null},
                    new String[] {scheduler, "GET", "/internal/capacity", null},
                    new String[] {scheduler, "GET", "/internal/usage", null},
                    new String[] {scheduler, "GET", "/internal/workers", null},
                    new String[] {scheduler, "POST", "/internal/workers/" + workerId + "/credentials", null},
                    new String[] {scheduler, "GET", "/internal/workers/" + workerId + "/credentials", null},
                    new String[] {audit, "GET", "/internal/audit?limit=1", null},
                    new String[] {audit, "GET", "/internal/audit/verify", null},
                    new String[] {Suite.WORKER_URL, "GET", "/internal/sandboxes", null},
                    new String[] {Suite.WORKER_URL, "POST", "/internal/sandboxes/" + sandboxId + "/exec", exec},
                    new String[] {Suite.WORKER_URL, "DELETE", "/internal/sandboxes/" + sandboxId, null},
                    new String[] {Suite.WORKER_URL, "GET", "/internal/providers", null});
            List<String> admitted = new ArrayList<>();
            for (String[] route : routes) {
                for (Map<String, String> headers : List.of(Map.of("X-Worker-Credential", credential),
                        Map.of("X-Service-Token", credential),
                        Map.of("X-Worker-Credential", credential, "X-Service-Token", credential))) {
                    var answer = PathSpellings.send(route[0], route[1], route[2], headers, route[3]);
                    if (answer.statusCode() != 401) {
                        admitted.add(route[1] + " " + route[0] + route[2] + " " + headers.keySet() + " -> "
                                + answer.statusCode() + " " + answer.body());
                    }
                }
            }
            assertEquals(List.of(), admitted, "a worker credential reached control-plane routes");
            // nor is it an API key
            RestAssured.given().baseUri(Suite.URL).header("X-API-Key", credential).get("/api/v1/sandboxes")
                    .then().statusCode(401);
            api().get("/sandboxes/{id}", sandboxId).then().statusCode(200).body("state", equalTo("running"));
        } finally {
            api().delete("/sandboxes/{id}", sandboxId);
        }
    }

    @Test
    void aRevokedWorkerCredentialIsRefused() {
        // rotation: a second credential is issued while the first still works, then the first is revoked
        String successor = issue();
        assertEquals(404, stopping(workerId, credential));
        assertEquals(404, stopping(workerId, successor));

        api().delete("/workers/{id}/credentials/{credential}", workerId, credentialIds.get(0)).then().statusCode(200)
                .body("id", equalTo(credentialIds.get(0))).body("revoked_at", notNullValue());
        assertEquals(401, stopping(workerId, credential), "the revoked credential is refused at once");
        scheduler().header("X-Worker-Credential", credential).body(registration(workerId))
                .post("/internal/workers").then().statusCode(401).body("code", equalTo("unauthorized"));
        assertEquals(404, stopping(workerId, successor), "its successor still works");
        api().get("/workers/{id}/credentials", workerId).then().statusCode(200)
                .body("find { it.id == '" + credentialIds.get(0) + "' }.revoked_at", notNullValue())
                .body("find { it.id == '" + credentialIds.get(1) + "' }.revoked_at", nullValue());

        // a credential of another worker cannot be revoked through this one's id
        api().delete("/workers/{id}/credentials/{credential}", Suite.WORKER_ID, credentialIds.get(1)).then()
                .statusCode(404);
        // and only an administrator issues or revokes them
        Response created = api().body(Map.of("name", "worker-attack", "tenant", "attack13w", "role", "operator"))
                .post("/admin/api-keys");
        created.then().statusCode(201);
        String userKey = created.path("key");
        String keyId = created.path("id");
        try {
            RestAssured.given().baseUri(Suite.URL).header("X-API-Key", userKey)
                    .post("/api/v1/workers/{id}/credentials", workerId).then().statusCode(403);
            RestAssured.given().baseUri(Suite.URL).header("X-API-Key", userKey)
                    .delete("/api/v1/workers/{id}/credentials/{credential}", workerId, credentialIds.get(1))
                    .then().statusCode(403);
        } finally {
            api().delete("/admin/api-keys/{id}", keyId);
        }
        assertTrue(stopping(workerId, successor) == 404, "the operator's refused revoke changed nothing");
    }
}
