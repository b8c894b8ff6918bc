package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OpenTelemetry tracing across the services: a create and an exec each make one trace, with spans
 * from every service the request crossed (the gateway, the scheduler and the worker, down to the
 * Docker engine; the audit service, which the audit event reached through Kafka), and the audit
 * record of each carries that trace's id. The test instance exports its spans to the OTLP sink
 * {@code ./stacyvm test} runs on loopback ({@code deploy/tracing/OtlpSink.java}), which keeps each
 * export request in a folder; this test decodes them.
 */
class TracingTest {

    private static final String SINK = System.getProperty("stacyvm.otlp-sink", "");
    /** The services export every second in the test instance; Kafka and the audit log add a few. */
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();
    private final Spans spans = new Spans(Path.of(SINK));

    @BeforeEach
    void needsTheSink() {
        assumeTrue(!SINK.isEmpty(), "run through ./stacyvm test, whose instance exports its spans to an OTLP sink"
                + " (-Dstacyvm.otlp-sink)");
    }

    @AfterEach
    void destroyLeftovers() {
        sandboxes.close();
    }

    @Test
    void aCreateIsOneTraceFromTheGatewayThroughTheSchedulerAndTheWorkerToDocker() throws InterruptedException {
        Instant since = Instant.now().minusSeconds(1);
        String id = sandboxes.create(Map.of());
        String traceId = auditTraceId(id, "sandbox.create", since);

        // the gateway's own span ends last (after the answer) and is exported last: wait for it too
        List<Span> trace = spans.await(traceId, found -> services(found).containsAll(
                Set.of("api-gateway", "scheduler-service", "worker-service"))
                && found.stream().anyMatch(span -> span.name().equals("docker create"))
                && found.stream().anyMatch(span -> span.service().equals("api-gateway") && span.parentless()));
        Set<String> services = services(trace);
        assertTrue(services.containsAll(Set.of("api-gateway", "scheduler-service", "worker-service")),
                "the create's trace " + traceId + " has spans of the gateway, the scheduler and the worker: " + trace);
        Span docker = trace.stream().filter(span -> span.name().equals("docker create")).findFirst().orElse(null);
        assertNotNull(docker, "the worker's call to Docker is a span of the trace: " + trace);
        assertEquals("worker-service", docker.service());
        assertEquals(id, docker.attributes().get("stacyvm.sandbox.id"));
        assertTrue(trace.stream().anyMatch(span -> span.service().equals("api-gateway") && span.parentless()),
                "the trace starts at the gateway, where the request came in: " + trace);
    }

    @Test
    void anExecIsOneTraceFromTheGatewayThroughTheWorkerToDockerAndItsAuditRecordCarriesIt() throws InterruptedException {
        String id = sandboxes.create(Map.of());
        Instant since = Instant.now().minusSeconds(1);
        api().body(Map.of("command", "echo traced")).post("/sandboxes/{id}/exec", id).then().statusCode(200);
        String traceId = auditTraceId(id, "sandbox.exec", since);

        List<Span> trace = spans.await(traceId, found -> services(found).containsAll(
                Set.of("api-gateway", "worker-service", "audit-service"))
                && found.stream().anyMatch(span -> span.name().equals("docker exec")));
        assertTrue(services(trace).containsAll(Set.of("api-gateway", "worker-service", "audit-service")),
                "the exec's trace " + traceId + " has spans of the gateway, the worker and (through Kafka) the audit "
                        + "service: " + trace);
        assertTrue(trace.stream().anyMatch(span -> span.name().equals("docker exec") && span.service().equals("worker-service")
                && id.equals(span.attributes().get("stacyvm.sandbox.id"))), "the exec in Docker is a span: " + trace);
    }

    @Test
    void aCallersTraceparentIsContinuedAndNamesTheAuditRecord() throws InterruptedException {
        String id = sandboxes.create(Map.of());
        String traceId = HexFormat.of().formatHex(ByteBuffer.allocate(16)
                .putLong(System.nanoTime()).putLong(0x5ac7_7e57_0000_0001L).array());
        Instant since = Instant.now().minusSeconds(1);
        api().header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .body(Map.of("command", "true")).post("/sandboxes/{id}/exec", id).then().statusCode(200);
        assertEquals(traceId, auditTraceId(id, "sandbox.exec", since),
                "a client's W3C trace context is continued: its trace id is the audit record's");
        List<Span> trace = spans.await(traceId, found -> services(found).containsAll(Set.of("api-gateway", "worker-service")));
        assertTrue(services(trace).containsAll(Set.of("api-gateway", "worker-service")), "the client's trace: " + trace);
    }

    @Test
    void aRequestsJsonLogLineCarriesItsTraceId() throws IOException, InterruptedException {
        assumeTrue("json".equals(System.getProperty("stacyvm.log-format")),
                "the instance logs JSON lines (STACYVM_LOG_FORMAT=json, as ./stacyvm test runs it)");
        Instant since = Instant.now().minusSeconds(1);
        String id = sandboxes.create(Map.of());
        String traceId = auditTraceId(id, "sandbox.create", since);

        Path log = Path.of(System.getProperty("stacyvm.home"), "logs", "worker-service.log");
        List<JsonPath> created = Files.readAllLines(log).stream()
                .filter(line -> line.contains("created sandbox " + id))
                .map(JsonPath::from).toList();
        assertEquals(1, created.size(), "the worker logs the create once, as one JSON object: " + created);
        JsonPath line = created.get(0);
        assertEquals("INFO", line.getString("level"));
        assertTrue(line.getString("message").startsWith("created sandbox " + id + " from "), line.prettify());
        assertEquals(traceId, line.getString("mdc.traceId"),
                "the line carries the trace id of the request that created the sandbox: " + line.prettify());
        assertTrue(line.getString("mdc.spanId").matches("[0-9a-f]{16}"), line.prettify());
    }

    /** The trace id of the sandbox's newest audit record of {@code action} since {@code since} (bounded wait). */
    private static String auditTraceId(String sandboxId, String action, Instant since) throws InterruptedException {
        Instant deadline = Instant.now().plus(PATIENCE);
        List<Map<String, Object>> records;
        do {
            records = api().queryParam("target", sandboxId).queryParam("action", action)
                    .queryParam("since", since.toString())
                    .get("/admin/audit").then().statusCode(200).extract().jsonPath().getList("$");
            if (!records.isEmpty()) {
                String traceId = (String) records.get(records.size() - 1).get("trace_id");
                assertNotNull(traceId, "the audit record carries the request's trace id: " + records);
                assertTrue(traceId.matches("[0-9a-f]{32}") && !traceId.equals("0".repeat(32)), traceId);
                String csv = api().queryParam("target", sandboxId).queryParam("action", action)
                        .queryParam("since", since.toString()).queryParam("format", "csv")
                        .get("/admin/audit").then().statusCode(200).extract().asString();
                assertTrue(csv.startsWith("id,") && csv.split("\r\n")[0].endsWith(",trace_id") && csv.contains(traceId),
                        "the CSV export carries it too: " + csv);
                return traceId;
            }
            Thread.sleep(250);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError("no " + action + " audit record of " + sandboxId + " within " + PATIENCE);
    }

    private static Set<String> services(List<Span> trace) {
        Set<String> services = new HashSet<>();
        trace.forEach(span -> services.add(span.service()));
        return services;
    }

    /** One span as exported: the service that made it, its name, and whether it has a parent. */
    record Span(String traceId, String service, String name, boolean parentless, Map<String, String> attributes) {
        @Override
        public String toString() {
            return service + ":" + name + (parentless ? " (root)" : "");
        }
    }

    /** The spans the sink kept, read as its files appear; each file is read once. */
    static final class Spans {
        private final Path folder;
        private final Set<Path> read = new HashSet<>();
        private final List<Span> all = new ArrayList<>();

        Spans(Path folder) {
            this.folder = folder;
        }

        /** The spans of {@code traceId} once {@code complete} holds for them, or those found by the deadline. */
        List<Span> await(String traceId, Predicate<List<Span>> complete) throws InterruptedException {
            Instant deadline = Instant.now().plus(PATIENCE);
            List<Span> trace;
            do {
                readNew();
                trace = all.stream().filter(span -> span.traceId().equals(traceId)).toList();
                if (complete.test(trace)) {
                    return trace;
                }
                Thread.sleep(500);
            } while (Instant.now().isBefore(deadline));
            return trace;
        }

        private void readNew() {
            List<Path> files;
            try (Stream<Path> listed = Files.list(folder)) {
                files = listed.filter(file -> file.toString().endsWith(".pb")).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException("the OTLP sink's folder " + folder, e);
            }
            for (Path file : files) {
                if (read.add(file)) {
                    try {
                        decode(Files.readAllBytes(file));
                    } catch (NoSuchFileException rotated) {
                        // the sink keeps the newest requests only
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }

        private void decode(byte[] body) throws InvalidProtocolBufferException {
            for (ResourceSpans resourceSpans : ExportTraceServiceRequest.parseFrom(body).getResourceSpansList()) {
                String service = attribute(resourceSpans.getResource(), "service.name");
                for (ScopeSpans scope : resourceSpans.getScopeSpansList()) {
                    for (io.opentelemetry.proto.trace.v1.Span span : scope.getSpansList()) {
                        Map<String, String> attributes = new HashMap<>();
                        for (KeyValue attribute : span.getAttributesList()) {
                            attributes.put(attribute.getKey(), attribute.getValue().getStringValue());
                        }
                        all.add(new Span(HexFormat.of().formatHex(span.getTraceId().toByteArray()), service, span.getName(),
                                span.getParentSpanId().isEmpty(), attributes));
                    }
                }
            }
        }

        private static String attribute(Resource resource, String key) {
            return resource.getAttributesList().stream().filter(attribute -> attribute.getKey().equals(key))
                    .map(attribute -> attribute.getValue().getStringValue()).findFirst().orElse("");
        }
    }
}
