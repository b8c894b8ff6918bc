package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code stacyvm_*} Prometheus series: each family moves after the operation that should move
 * it, read from the service that exports it, and the JSON {@code /metrics} and {@code /diagnostics}
 * answer administrators with the same picture.
 */
class MetricsTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String GATEWAY = Suite.URL + "/api/v1/metrics/prometheus";
    private static final String SCHEDULER = "http://127.0.0.1:" + Suite.SCHEDULER_PORT + "/q/metrics";
    private static final String WORKER = Suite.WORKER_URL + "/q/metrics";
    private static final String AUDIT = "http://127.0.0.1:" + Suite.AUDIT_PORT + "/q/metrics";

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    @AfterEach
    void destroy() {
        sandboxes.close();
    }

    static String scrape(String url) throws IOException, InterruptedException {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), url);
        // the 0.0.4 text format may close a label set with ",}": one spelling for the lookups
        return answer.body().replace(",}", "}");
    }

    /** The value of one series ({@code name{labels}} as exposed, labels in the exposition's order), or 0 when absent. */
    static double value(String exposition, String series) {
        // a sample may carry an exemplar (" # {trace_id=...} 1.0 ..."): a series touched inside a traced request does
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+|NaN)(?: # \\{.*)?$").matcher(exposition);
        return line.find() ? Double.parseDouble(line.group(1)) : 0;
    }

    /** Waits (at most 40 s: the scheduler and audit gauges refresh every 10 and 30 s) for a series to satisfy {@code wanted}. */
    static double await(String url, String series, DoublePredicate wanted) throws IOException, InterruptedException {
        double last = 0;
        for (int attempt = 0; attempt < 40; attempt++) {
            last = value(scrape(url), series);
            if (wanted.test(last)) {
                return last;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError(series + " at " + url + " stayed at " + last);
    }

    @Test
    void eachFamilyMovesAfterTheOperationsThatMoveIt() throws Exception {
        String gatewayBefore = scrape(GATEWAY);
        double created = value(gatewayBefore, "stacyvm_sandbox_creates_seconds_count{outcome=\"created\"}");
        double refused = value(gatewayBefore, "stacyvm_sandbox_creates_seconds_count{outcome=\"bad_request\"}");
        double exited = value(gatewayBefore, "stacyvm_execs_seconds_count{outcome=\"exited\"}");
        double timedOut = value(gatewayBefore, "stacyvm_execs_seconds_count{outcome=\"timed_out\"}");
        String workerBefore = scrape(WORKER);
        double claims = value(workerBefore, "stacyvm_warm_pool_claims_total{outcome=\"hit\"}")
                + value(workerBefore, "stacyvm_warm_pool_claims_total{outcome=\"miss\"}");
        double appended = value(scrape(AUDIT), "stacyvm_audit_records_appended_total{event_type=\"sandbox.state_changed\"}");

        String id = sandboxes.create(Map.of("memory_mb", 256));
        api().body(Map.of("memory_mb", -1)).post("/sandboxes").then().statusCode(400);
        Suite.exec(id, Map.of("command", "true")).then().statusCode(200).body("exit_code", equalTo(0));
        Suite.exec(id, Map.of("command", "sleep 30", "timeout", "1s")).then().statusCode(200).body("timed_out", equalTo(true));

        String gateway = scrape(GATEWAY);
        assertEquals(created + 1, value(gateway, "stacyvm_sandbox_creates_seconds_count{outcome=\"created\"}"), "a create");
        assertEquals(refused + 1, value(gateway, "stacyvm_sandbox_creates_seconds_count{outcome=\"bad_request\"}"),
                "a refused create, by its error code");
        assertTrue(value(gateway, "stacyvm_sandbox_creates_seconds_bucket{outcome=\"created\",le=\"+Inf\"}") >= created + 1,
                "the latency histogram");
        assertEquals(exited + 1, value(gateway, "stacyvm_execs_seconds_count{outcome=\"exited\"}"), "an exec");
        assertEquals(timedOut + 1, value(gateway, "stacyvm_execs_seconds_count{outcome=\"timed_out\"}"), "an exec that timed out");
        assertTrue(gateway.contains("\nstacyvm_outbox_pending "), "the gateway's outbox backlog");

        String worker = scrape(WORKER);
        assertEquals(claims + 1, value(worker, "stacyvm_warm_pool_claims_total{outcome=\"hit\"}")
                + value(worker, "stacyvm_warm_pool_claims_total{outcome=\"miss\"}"), "the create asked the warm pool");
        assertTrue(worker.contains("\nstacyvm_warm_pool_ready "), "the warm pool's ready containers");

        String running = "stacyvm_sandboxes{state=\"running\",worker=\"" + Suite.WORKER_ID + "\"}";
        await(SCHEDULER, running, count -> count >= 1);
        String scheduler = scrape(SCHEDULER);
        assertEquals(1, value(scheduler, "stacyvm_worker_up{worker=\"" + Suite.WORKER_ID + "\"}"), "the worker is up");
        assertTrue(value(scheduler, "stacyvm_worker_capacity{resource=\"memory_mb\",worker=\"" + Suite.WORKER_ID + "\"}") > 0);
        await(SCHEDULER, "stacyvm_worker_used{resource=\"memory_mb\",worker=\"" + Suite.WORKER_ID + "\"}", used -> used >= 256);
        assertTrue(scheduler.contains("\nstacyvm_outbox_lag_seconds "), "the scheduler's outbox lag");

        await(AUDIT, "stacyvm_audit_records_appended_total{event_type=\"sandbox.state_changed\"}", count -> count >= appended + 2);
        await(AUDIT, "stacyvm_audit_chain_length", length -> length > 0);
    }

    @Test
    void administratorsGetTheJsonMetricsAndDiagnostics() {
        String id = sandboxes.create(Map.of());
        api().get("/metrics").then().statusCode(200)
                .body("sandboxes.by_state.running", greaterThanOrEqualTo(1))
                .body("sandboxes.by_worker." + Suite.WORKER_ID, greaterThanOrEqualTo(1))
                .body("workers.items.id", org.hamcrest.Matchers.hasItem(Suite.WORKER_ID))
                .body("operations.creates.created.count", greaterThanOrEqualTo(1));
        api().get("/diagnostics").then().statusCode(200)
                .body("database.healthy", equalTo(true))
                .body("event_log.healthy", equalTo(true))
                .body("scheduler.healthy", equalTo(true))
                .body("audit.healthy", equalTo(true))
                .body("workers.find { it.id == '" + Suite.WORKER_ID + "' }.status", equalTo("ready"))
                .body("outbox.pending", greaterThanOrEqualTo(0));
        api().delete("/sandboxes/{id}", id).then().statusCode(200);
    }

    /** Every stacyvm_* name the Grafana dashboard queries is one a service exports. */
    @Test
    void theGrafanaDashboardQueriesOnlySeriesTheServicesExport() throws Exception {
        Path dashboard = Path.of("..", "deploy", "grafana", "stacyvm-dashboard.json");
        assertTrue(Files.isRegularFile(dashboard), dashboard.toAbsolutePath().toString());
        Set<String> queried = new TreeSet<>();
        Matcher name = Pattern.compile("stacyvm_[a-z_]+").matcher(Files.readString(dashboard));
        while (name.find()) {
            queried.add(name.group());
        }
        assertTrue(queried.size() >= 8, "the dashboard shows the families: " + queried);
        // stacyvm_sandboxes has a series only while some sandbox lives, and an outcome's histogram
        // only once it happened: a create and an exec for the scrape
        String id = sandboxes.create(Map.of());
        Suite.exec(id, Map.of("command", "true")).then().statusCode(200);
        await(SCHEDULER, "stacyvm_sandboxes{state=\"running\",worker=\"" + Suite.WORKER_ID + "\"}", count -> count >= 1);
        // a pull and a collection may not have happened on this instance yet: their counters appear with them
        String exported = scrape(GATEWAY) + scrape(SCHEDULER) + scrape(WORKER) + scrape(AUDIT);
        Set<String> missing = new TreeSet<>();
        for (String series : queried) {
            if (!exported.contains("\n" + series) && !Set.of("stacyvm_image_pulls_total", "stacyvm_image_gc_removed_total")
                    .contains(series)) {
                missing.add(series);
            }
        }
        assertEquals(Set.of(), missing, "series the dashboard queries that no service exports");
    }
}
