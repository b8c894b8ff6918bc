package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Admission answers the decision a create would meet, and the create path enforces the same one. */
class AdmissionTest {

    private final String user = "admission-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<String> created = new ArrayList<>();

    @AfterEach
    void destroyCreated() {
        for (String id : created) {
            api().header("X-User-ID", user).delete("/sandboxes/{id}", id);
        }
    }

    @Test
    void admissionAnswersWithoutCreatingAnything() {
        int before = api().get("/sandboxes").then().statusCode(200).extract().jsonPath().getList("$").size();
        api().header("X-User-ID", user).body(Map.of("ttl", "5m")).post("/sandboxes/admission").then().statusCode(200)
                .body("allowed", is(true))
                .body("queueable", is(false))
                .body("active_owner_sandboxes", equalTo(0))
                .body("max_owner_sandboxes", greaterThanOrEqualTo(1))
                .body("max_sandboxes", greaterThanOrEqualTo(1))
                .body("active_sandboxes", notNullValue())
                .body("max_ttl", equalTo("24h0m0s"));
        api().body(Map.of("ttl", "whenever")).post("/sandboxes/admission").then().statusCode(400)
                .body("code", equalTo("bad_request"));
        assertEquals(before, api().get("/sandboxes").then().statusCode(200).extract().jsonPath().getList("$").size());
    }

    @Test
    void anOwnerAtTheLimitIsRefusedWithRetryAfterAndAdmissionSaysWhy() {
        int limit = api().header("X-User-ID", user).body(Map.of()).post("/sandboxes/admission")
                .then().statusCode(200).extract().path("max_owner_sandboxes");
        assertTrue(limit <= 10, "the test instance runs with a small per-owner limit (STACYVM_MAX_SANDBOXES_PER_OWNER)");
        for (int i = 0; i < limit; i++) {
            created.add(api().header("X-User-ID", user).body(Map.of()).post("/sandboxes")
                    .then().statusCode(201).body("owner_id", equalTo("default:bootstrap-admin:" + user)).extract().path("id"));
        }
        api().header("X-User-ID", user).body(Map.of()).post("/sandboxes").then().statusCode(429)
                .header("Retry-After", notNullValue())
                .body("code", equalTo("resource_limit"))
                .body("message", containsString(user));
        api().header("X-User-ID", user).body(Map.of()).post("/sandboxes/admission").then().statusCode(200)
                .body("allowed", is(false))
                .body("active_owner_sandboxes", equalTo(limit))
                .body("reason", containsString("at most " + limit));
        api().header("X-User-ID", "someone-else-" + user).body(Map.of()).post("/sandboxes/admission")
                .then().statusCode(200).body("allowed", is(true));
    }
}
