package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.anonymous;
import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad input gets a typed error and changes nothing. */
class BadInputTest {

    private List<String> sandboxesBefore;
    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    @BeforeEach
    void rememberSandboxes() {
        sandboxesBefore = liveSandboxIds();
    }

    @AfterEach
    void nothingChanged() {
        sandboxes.close();
        // nothing new; a sandbox whose TTL ran out meanwhile may have gone, which no request here caused
        List<String> after = liveSandboxIds();
        assertTrue(sandboxesBefore.containsAll(after), "a refused request left no sandbox behind: " + after);
    }

    private static List<String> liveSandboxIds() {
        return api().get("/sandboxes").then().statusCode(200).extract().jsonPath().getList("id", String.class);
    }

    @Test
    void unknownSandboxIsNotFound() {
        api().get("/sandboxes/sb-00000000dead").then().statusCode(404)
                .body("code", equalTo("not_found"))
                .body("message", containsString("sb-00000000dead"));
        api().delete("/sandboxes/sb-00000000dead").then().statusCode(404).body("code", equalTo("not_found"));
        api().body(Map.of("command", "true")).post("/sandboxes/sb-00000000dead/exec")
                .then().statusCode(404).body("code", equalTo("not_found"));
    }

    @Test
    void malformedJsonIsABadRequest() {
        api().body("{\"image\": ").post("/sandboxes").then().statusCode(400)
                .body("code", equalTo("bad_request"))
                .body("status", equalTo(400));
        api().body("not json at all").post("/sandboxes").then().statusCode(400).body("code", equalTo("bad_request"));
    }

    @Test
    void wrongFieldTypesAreABadRequestNamingTheField() {
        api().body(Map.of("memory_mb", "lots")).post("/sandboxes").then().statusCode(400)
                .body("code", equalTo("bad_request"))
                .body("message", containsString("memory_mb"));
        api().body(Map.of("metadata", List.of("a", "b"))).post("/sandboxes").then().statusCode(400)
                .body("code", equalTo("bad_request"))
                .body("message", containsString("metadata"));
    }

    @Test
    void aFractionalNumberWhereAWholeOneBelongsIsABadRequestNeverTruncated() {
        for (String field : List.of("vcpus", "memory_mb", "pids_limit", "disk_mb")) {
            for (double value : List.of(1.5, 512.25, 1.0e-3)) {
                api().body(Map.of(field, value)).post("/sandboxes").then().statusCode(400)
                        .body("code", equalTo("bad_request"))
                        .body("message", equalTo("field \"" + field + "\" must be a whole number"));
            }
        }
        api().body(Map.of("name", "fractional", "vcpus", 1.5)).post("/templates").then().statusCode(400)
                .body("message", equalTo("field \"vcpus\" must be a whole number"));
    }

    @Test
    void invalidValuesAreABadRequest() {
        api().body(Map.of("ttl", "forever")).post("/sandboxes").then().statusCode(400)
                .body("code", equalTo("bad_request")).body("message", containsString("ttl"));
        api().body(Map.of("memory_mb", 1)).post("/sandboxes").then().statusCode(400)
                .body("code", equalTo("bad_request")).body("message", containsString("memory_mb"));
        api().body(Map.of("network", "host")).post("/sandboxes").then().statusCode(400)
                .body("code", equalTo("bad_request")).body("message", containsString("network"));
        api().body(Map.of("provider", "firecracker")).post("/sandboxes").then().statusCode(400)
                .body("code", equalTo("bad_request")).body("message", containsString("provider"));
    }

    @Test
    void emptyStringsMeanTheDefaults() {
        String id = sandboxes.create(Map.of("provider", "", "image", "", "ttl", "", "owner_id", ""));
        api().get("/sandboxes/{id}", id).then().statusCode(200)
                .body("provider", equalTo("docker"))
                .body("image", equalTo("stacyvm/base:bookworm"))
                .body("memory_mb", equalTo(512));
        sandboxes.close();
        sandboxesBefore = liveSandboxIds();
    }

    @Test
    void badExecRequestsAreRefusedBeforeRunning() {
        String id = sandboxes.create(Map.of());
        api().body(Map.of()).post("/sandboxes/{id}/exec", id).then().statusCode(400)
                .body("code", equalTo("bad_request")).body("message", containsString("command"));
        api().body(Map.of("command", "true", "timeout", "soon")).post("/sandboxes/{id}/exec", id)
                .then().statusCode(400).body("code", equalTo("bad_request")).body("message", containsString("timeout"));
        api().body(Map.of("command", "true", "mode", "telepathy")).post("/sandboxes/{id}/exec", id)
                .then().statusCode(400).body("code", equalTo("bad_request")).body("message", containsString("mode"));
        sandboxes.close();
        sandboxesBefore = liveSandboxIds();
    }

    @Test
    void missingOrWrongKeyIsUnauthorized() {
        anonymous().get("/sandboxes").then().statusCode(401).body("code", equalTo("unauthorized"));
        anonymous().header("X-API-Key", "svm_wrong").get("/sandboxes").then().statusCode(401)
                .body("code", equalTo("unauthorized"));
        anonymous().header("X-API-Key", "svm_wrong").body(Map.of()).post("/sandboxes").then().statusCode(401)
                .body("code", equalTo("unauthorized"));
        anonymous().header("X-API-Key", "svm_wrong").get("/admin/audit").then().statusCode(401);
    }

    @Test
    void anImageNoRegistryHasIsRefusedAndLeavesNoRecord() {
        api().body(Map.of("image", "stacyvm/does-not-exist:1.0")).post("/sandboxes").then().statusCode(400)
                .body("code", equalTo("bad_request"))
                .body("message", containsString("stacyvm/does-not-exist:1.0"))
                .body("message", not(containsString("Exception")));
        api().get("/sandboxes").then().statusCode(200)
                .body("findAll { it.image == 'stacyvm/does-not-exist:1.0' }.size()", equalTo(0));
    }
}
