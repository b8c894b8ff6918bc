package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Anyone who reaches the gateway can send requests with a bad key or none, and each refusal was a
 * row in the outbox, a Kafka message and a row in the hash-chained audit log: a flood of them
 * filled the log at the sender's pace. Now one address leaves at most its budget of
 * {@code auth.denied} records a minute (the test instance's is 1000; the default 20); the rest are
 * answered the same 401 and only counted, then summarised. The flood comes from 127.0.0.2, its own
 * loopback address, so it spends no other test's budget.
 */
class DeniedAuthenticationFloodTest {

    /** More than two budgets: however the flood falls across a minute's edge, it overflows one. */
    private static final int FLOOD = 2_500;
    private static final Pattern UNRECORDED = Pattern.compile(
            "(?m)^stacyvm_audit_denied_authentications_unrecorded_total(?:\\{[^}]*\\})? ([0-9.eE+]+)$");

    private static double unrecorded() {
        String metrics = api().get("/metrics/prometheus").then().statusCode(200).extract().asString();
        Matcher found = UNRECORDED.matcher(metrics);
        return found.find() ? Double.parseDouble(found.group(1)) : 0;
    }

    @Test
    void aFloodOfBadCredentialsFromOneAddressIsRefusedButLeavesABoundedAuditTrail() throws Exception {
        double before = unrecorded();
        HttpClient fromElsewhere = HttpClient.newBuilder().localAddress(InetAddress.getByName("127.0.0.2"))
                .connectTimeout(Duration.ofSeconds(10)).build();
        String target = "/api/v1/sandboxes/flood-" + UUID.randomUUID().toString().substring(0, 8);
        HttpRequest bad = HttpRequest.newBuilder(URI.create(Suite.URL + target)).header("X-API-Key", "svm_not-a-key")
                .timeout(Duration.ofSeconds(30)).build();
        for (int i = 0; i < FLOOD; i++) {
            assertEquals(401, fromElsewhere.send(bad, HttpResponse.BodyHandlers.discarding()).statusCode(),
                    "every refusal is answered the same, recorded or not");
        }
        double counted = unrecorded() - before;
        assertTrue(counted >= FLOOD - 2 * 1_000,
                "past the budget the refusals are counted, not recorded one by one: " + counted + " counted of " + FLOOD);
        assertTrue(counted <= FLOOD, counted + " counted of " + FLOOD);

        // and what was recorded names the address the flood came from
        String records = "";
        for (int attempt = 0; attempt < 120 && !records.contains("127.0.0.2"); attempt++) {
            Thread.sleep(250);
            records = api().queryParam("action", "auth.denied").queryParam("target", target).queryParam("limit", 5)
                    .get("/admin/audit").then().statusCode(200).extract().asString();
        }
        assertTrue(records.contains("127.0.0.2"), records);
    }
}
