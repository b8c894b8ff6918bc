package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /admin/audit}: filters, paging, CSV, and typed errors for bad filters. */
class AuditLogTest {

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    @AfterEach
    void destroyLeftovers() {
        sandboxes.close();
    }

    @Test
    void filtersPagesAndCsvShowTheSameRecords() throws InterruptedException {
        Instant since = Instant.now().minusSeconds(1);
        String id = sandboxes.create(Map.of());
        api().body(Map.of("path", "/workspace/secret.txt", "content", "top secret content")).post("/sandboxes/{id}/files", id)
                .then().statusCode(200);
        api().body(Map.of("command", "true")).post("/sandboxes/{id}/exec", id).then().statusCode(200);
        List<String> actions = SandboxLifecycleTest.awaitAuditActions(id, 3, since);
        assertEquals(List.of("sandbox.create", "file.write", "sandbox.exec"), actions);

        api().queryParam("target", id).queryParam("action", "file.write").get("/admin/audit").then().statusCode(200)
                .body("", hasSize(1))
                .body("[0].outcome", equalTo("success"))
                .body("[0].detail", containsString("/workspace/secret.txt"))
                .body("[0].detail", org.hamcrest.Matchers.not(containsString("top secret")))
                .body("[0].actor", startsWith("default/"));
        api().queryParam("target", id).queryParam("limit", 1).get("/admin/audit").then().statusCode(200)
                .body("", hasSize(1));
        long first = api().queryParam("target", id).queryParam("limit", 1).get("/admin/audit")
                .then().extract().jsonPath().getLong("[0].id");
        api().queryParam("target", id).queryParam("after_id", first).get("/admin/audit").then().statusCode(200)
                .body("id", everyItem(org.hamcrest.Matchers.greaterThan((int) first)));
        // a full page links to the next (RFC 8288), in CSV as in JSON: following the links reads every record once, in order
        List<Long> listed = api().queryParam("target", id).queryParam("limit", 1000).get("/admin/audit")
                .then().statusCode(200).extract().jsonPath().getList("id", Long.class);
        List<Long> paged = new java.util.ArrayList<>();
        String next = "/api/v1/admin/audit?target=" + id + "&limit=1&format=csv";
        for (int page = 0; page < 50 && next != null; page++) {
            io.restassured.response.Response answer = io.restassured.RestAssured.given().baseUri(Suite.URL)
                    .header("X-API-Key", Suite.API_KEY).urlEncodingEnabled(false).get(next);
            answer.then().statusCode(200);
            String[] rows = answer.asString().split("\r\n");
            if (rows.length > 1) {
                paged.add(Long.parseLong(rows[1].substring(0, rows[1].indexOf(','))));
            }
            String link = answer.header("Link");
            next = link == null ? null : link.replaceAll("^<([^>]+)>; rel=\"next\"$", "$1");
        }
        assertEquals(null, next, "the links end at an empty page");
        assertEquals(listed, paged.subList(0, Math.min(listed.size(), paged.size())), "page by page, the records listed at once");
        assertEquals(paged.stream().sorted().distinct().toList(), paged, "each record once, in order");
        api().queryParam("target", id).queryParam("until", since.toString()).get("/admin/audit").then().statusCode(200)
                .body("", hasSize(0));

        String csv = api().queryParam("target", id).queryParam("format", "csv").get("/admin/audit")
                .then().statusCode(200).contentType(containsString("text/csv")).extract().asString();
        String[] lines = csv.split("\r\n");
        assertTrue(lines[0].startsWith("id,event_id,event_type,created_at,actor,action,target,outcome"), lines[0]);
        assertTrue(csv.contains(",sandbox.exec," + id + ",success,"), csv);
    }

    @Test
    void badFiltersAreABadRequest() {
        api().queryParam("since", "yesterday").get("/admin/audit").then().statusCode(400).body("code", equalTo("bad_request"));
        api().queryParam("limit", 0).get("/admin/audit").then().statusCode(400).body("code", equalTo("bad_request"));
        api().queryParam("limit", 5000).get("/admin/audit").then().statusCode(400).body("code", equalTo("bad_request"));
        api().queryParam("format", "xml").get("/admin/audit").then().statusCode(400).body("code", equalTo("bad_request"));
        api().queryParam("limit", 2).get("/admin/audit").then().statusCode(200).body("size()", lessThanOrEqualTo(2));
    }
}
