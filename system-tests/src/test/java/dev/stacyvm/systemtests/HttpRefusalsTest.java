package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #15: what HTTP itself refuses (no route, a wrong method, an Accept or a Content-Type the
 * route cannot serve) answers a typed error whose {@code code} and {@code status} are the HTTP
 * status's own, and whose message names what the route would take.
 */
class HttpRefusalsTest {

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    @AfterEach
    void destroyLeftovers() {
        sandboxes.close();
    }

    private record Refusal(String name, Function<String, Response> send, int status, String code, String says) {
    }

    @Test
    void theBodyOfEveryFrameworkRefusalMatchesItsHttpStatusAndNamesWhatTheRouteTakes() {
        String id = sandboxes.create(Map.of());
        List<Refusal> refusals = List.of(
                new Refusal("no such route", sandbox -> api().get("/sandboxes/{id}/nothing-here", sandbox),
                        404, "not_found", "no such resource"),
                new Refusal("a method the route lacks", sandbox -> api().patch("/sandboxes/{id}", sandbox),
                        405, "method_not_allowed", "method"),
                new Refusal("an Accept the route cannot answer", sandbox -> api().accept("text/csv")
                        .get("/sandboxes/{id}", sandbox), 406, "not_acceptable", "application/json"),
                new Refusal("an archive route sent gzip", sandbox -> api().contentType("application/gzip")
                        .body(new byte[] {31, -117, 8, 0}).queryParam("path", "/workspace")
                        .put("/sandboxes/{id}/files/archive", sandbox), 415, "unsupported_media_type",
                        "application/octet-stream, application/x-tar"));
        for (Refusal refusal : refusals) {
            Response answer = refusal.send().apply(id);
            answer.then().statusCode(refusal.status())
                    .body("status", equalTo(refusal.status()))
                    .body("code", equalTo(refusal.code()))
                    .body("message", containsString(refusal.says()));
        }
        // the archive route refused before anything was written
        api().queryParam("path", "/workspace").get("/sandboxes/{id}/files/list", id).then().statusCode(200)
                .body("size()", equalTo(0));
    }

    @Test
    void aListWithoutAPathListsTheRootAsStacyVmDoes() {
        String id = sandboxes.create(Map.of());
        api().get("/sandboxes/{id}/files/list", id).then().statusCode(200)
                .body("name", org.hamcrest.Matchers.hasItems("workspace", "etc", "tmp"));
    }
}
