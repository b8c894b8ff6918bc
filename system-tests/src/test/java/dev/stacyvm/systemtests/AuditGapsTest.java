package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the audit log records about attempts that leave no other trace: lookups of another owner's
 * sandbox or template (answered 404, recorded, within a per-caller budget), and the request ids
 * that tie records to requests (validated or replaced, never stored as a client sent them).
 */
class AuditGapsTest {

    private static final Pattern UUID_FORM = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    /** The gateway's default stacyvm.gateway.denied-lookups.per-caller-per-minute. */
    private static final int RECORDED_PER_MINUTE = 20;

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();
    private final List<String> keyIds = new ArrayList<>();
    private final List<String> templates = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        sandboxes.close();
        for (String name : templates) {
            api().delete("/templates/{name}", name);
        }
        for (String keyId : keyIds) {
            api().delete("/admin/api-keys/{id}", keyId);
        }
    }

    private String createKey(String name, String tenant) {
        Response created = api().body(Map.of("name", name, "tenant", tenant, "role", "user")).post("/admin/api-keys");
        created.then().statusCode(201);
        keyIds.add(created.path("id"));
        return created.path("key");
    }

    private static RequestSpecification as(String key) {
        return RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").header("X-API-Key", key)
                .contentType(ContentType.JSON).log().ifValidationFails();
    }

    /** The audit records of one actor and action, polled until at least {@code atLeast} are there (bounded). */
    private static List<Map<String, Object>> awaitRecords(String actor, String action, int atLeast, int seconds)
            throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(seconds);
        List<Map<String, Object>> records;
        do {
            records = api().queryParam("actor", actor).queryParam("action", action).queryParam("limit", 1000)
                    .get("/admin/audit").then().statusCode(200).extract().jsonPath().getList("$");
            if (records.size() >= atLeast) {
                return records;
            }
            Thread.sleep(500);
        } while (Instant.now().isBefore(deadline));
        return records;
    }

    private static double unrecordedLookups() {
        String metrics = RestAssured.given().baseUri(Suite.URL).get("/api/v1/metrics/prometheus")
                .then().statusCode(200).extract().asString();
        return metrics.lines().filter(line -> line.startsWith("stacyvm_audit_denied_lookups_unrecorded_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void deniedCrossOwnerLookupsAreAudited() throws InterruptedException {
        String tenant = "prober-" + UUID.randomUUID().toString().substring(0, 8);
        String intruder = createKey("intruder", tenant);
        String id = sandboxes.create(Map.of());
        String owner = api().get("/sandboxes/{id}", id).then().extract().path("owner_id");
        String template = "gaps-" + UUID.randomUUID().toString().substring(0, 8);
        api().body(Map.of("name", template)).post("/templates").then().statusCode(201);
        templates.add(template);

        // the answers stay 404, as for things that do not exist: nothing leaks
        as(intruder).get("/sandboxes/{id}", id).then().statusCode(404).body("code", equalTo("not_found"))
                .body(not(containsString(owner)));
        as(intruder).body(Map.of("command", "id")).post("/sandboxes/{id}/exec", id).then().statusCode(404);
        as(intruder).get("/templates/{name}", template).then().statusCode(404).body("code", equalTo("not_found"));
        // a sandbox that exists nowhere is no cross-owner attempt
        as(intruder).get("/sandboxes/{id}", "sb-00000000").then().statusCode(404);

        String actor = tenant + "/intruder";
        List<Map<String, Object>> lookups = awaitRecords(actor, "sandbox.lookup", 2, 30);
        assertEquals(2, lookups.size(), "one record per denied lookup: " + lookups);
        for (Map<String, Object> record : lookups) {
            assertEquals("denied", record.get("outcome"));
            assertEquals(id, record.get("target"));
            assertEquals(owner, record.get("owner_id"), "the owner whose sandbox was probed can find the attempt");
            assertTrue(((String) record.get("detail")).contains("another owner's sandbox"), record.toString());
        }
        List<Map<String, Object>> templateLookups = awaitRecords(actor, "template.lookup", 1, 30);
        assertEquals(1, templateLookups.size(), templateLookups.toString());
        assertEquals("template:" + template, templateLookups.getFirst().get("target"));
        assertEquals("denied", templateLookups.getFirst().get("outcome"));
    }

    @Test
    void deniedLookupFloodsAreRateLimitedInTheAudit() throws InterruptedException {
        String tenant = "flood-" + UUID.randomUUID().toString().substring(0, 8);
        String intruder = createKey("intruder", tenant);
        String id = sandboxes.create(Map.of());
        String actor = tenant + "/intruder";
        double unrecordedBefore = unrecordedLookups();
        int flood = 100;
        for (int attempt = 0; attempt < flood; attempt++) {
            as(intruder).get("/sandboxes/{id}", id).then().statusCode(404);
        }
        double unrecorded = unrecordedLookups() - unrecordedBefore;

        // one record each for the first lookups of each minute (at most two minutes here), the rest counted
        List<Map<String, Object>> recorded = awaitRecords(actor, "sandbox.lookup", RECORDED_PER_MINUTE, 30);
        Thread.sleep(2000); // records travel through Kafka: let any more arrive before counting them
        recorded = awaitRecords(actor, "sandbox.lookup", RECORDED_PER_MINUTE, 1);
        assertTrue(recorded.size() >= RECORDED_PER_MINUTE && recorded.size() <= 2 * RECORDED_PER_MINUTE,
                "a flood of " + flood + " lookups leaves a bounded number of records: " + recorded.size());
        assertEquals(flood - recorded.size(), (int) unrecorded, "every lookup not recorded one by one is counted");

        // when each minute is over, its count is in the audit log too, as one summary per caller and minute
        // (a flood that spans a minute boundary has two): bounded wait for the last one
        int expected = flood - recorded.size();
        Instant deadline = Instant.now().plusSeconds(100);
        List<Map<String, Object>> summaries;
        int summarised;
        do {
            summaries = awaitRecords(actor, "lookup.unrecorded", 1, 100);
            summarised = summaries.stream()
                    .mapToInt(record -> Integer.parseInt(((String) record.get("detail")).split(" ")[0])).sum();
            if (summarised < expected) {
                Thread.sleep(1000);
            }
        } while (summarised < expected && Instant.now().isBefore(deadline));
        assertTrue(!summaries.isEmpty() && summaries.size() <= 2, "one summary per caller and minute: " + summaries);
        assertEquals(expected, summarised, summaries.toString());
    }

    @Test
    void requestIdsAreValidatedOrReplaced() throws InterruptedException {
        String kept = "trace-42_a.b:c";
        Response answer = api().header("X-Request-ID", kept).get("/sandboxes");
        answer.then().statusCode(200).header("X-Request-ID", equalTo(kept));
        Suite.anonymous().header("X-Request-ID", kept).get("/sandboxes").then().statusCode(401)
                .header("X-Request-ID", equalTo(kept));

        List<String> hostile = List.of("=HYPERLINK(\"http://127.0.0.1/\",\"click\")", "+cmd|' /C calc'!A0", "-1+1",
                "@SUM(A1)", "two words", "a,b;c", "\"quoted\"", "x".repeat(129), "tab\there", "");
        for (String id : hostile) {
            String answered = api().header("X-Request-ID", id).get("/sandboxes").then().statusCode(200)
                    .extract().header("X-Request-ID");
            assertTrue(answered != null && UUID_FORM.matcher(answered).matches(), id + " was replaced by " + answered);
            assertNotEquals(id, answered);
        }

        // what the audit log keeps is the replacement, which the client was told
        Instant since = Instant.now().minusSeconds(1);
        Response created = api().header("X-Request-ID", hostile.getFirst()).body(Map.of()).post("/sandboxes");
        created.then().statusCode(201);
        String id = created.path("id");
        sandboxes.adopt(id);
        String replacement = created.header("X-Request-ID");
        assertTrue(UUID_FORM.matcher(replacement).matches(), replacement);
        SandboxLifecycleTest.awaitAuditActions(id, 1, since);
        List<Map<String, Object>> records = api().queryParam("target", id).queryParam("action", "sandbox.create")
                .get("/admin/audit").then().statusCode(200).extract().jsonPath().getList("$");
        assertEquals(replacement, records.getFirst().get("request_id"));
        String csv = api().queryParam("target", id).queryParam("format", "csv").get("/admin/audit")
                .then().statusCode(200).extract().asString();
        assertTrue(!csv.contains("HYPERLINK") && csv.contains(replacement), csv);
    }
}
