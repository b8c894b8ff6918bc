package dev.stacyvm.audit.event;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.contract.event.Topics;
import dev.stacyvm.testing.KafkaTestResource;
import dev.stacyvm.testing.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The audit service in process, against a real PostgreSQL and a real Kafka broker: what the
 * gateway and the scheduler publish becomes hash-chained records the gateway can query, once each,
 * and what is not an event goes to the dead letters without breaking the chain.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(value = KafkaTestResource.class, initArgs = @ResourceArg(name = "topics",
        value = "stacyvm.sandbox-events,stacyvm.audit-events,stacyvm.dead-letters"))
class AuditEventConsumerTest {

    private static final String SERVICE_TOKEN = "test-service-token";
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    private static void publish(String topic, String key, String value) throws Exception {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    private static String auditEvent(UUID id, String actor, String action) {
        return """
                {"event_id":"%s","type":"audit.recorded","version":1,"occurred_at":"%s","sandbox_id":"sb-0123456789ab",
                 "owner_id":"owner-1","actor":"%s","action":"%s","target":"sb-0123456789ab","outcome":"success"}"""
                .formatted(id, Instant.now(), actor, action);
    }

    /** The records the gateway's query finds for an actor, once at least {@code atLeast} are there (bounded wait). */
    private static List<Map<String, Object>> recordsOf(String actor, int atLeast) throws InterruptedException {
        Instant deadline = Instant.now().plus(PATIENCE);
        List<Map<String, Object>> records;
        do {
            records = given().header("X-Service-Token", SERVICE_TOKEN).queryParam("actor", actor)
                    .get("/internal/audit").then().statusCode(200).extract().jsonPath().getList("$");
            if (records.size() >= atLeast) {
                return records;
            }
            Thread.sleep(100);
        } while (Instant.now().isBefore(deadline));
        return records;
    }

    @Test
    void anAuditEventOnKafkaBecomesAChainedRecordTheGatewayCanQuery() throws Exception {
        String actor = "key-" + UUID.randomUUID();
        UUID id = UUID.randomUUID();
        publish(Topics.AUDIT_EVENTS, "sb-0123456789ab", auditEvent(id, actor, "sandbox.exec"));
        List<Map<String, Object>> records = recordsOf(actor, 1);
        assertEquals(1, records.size(), "the event was recorded: " + records);
        assertEquals("sandbox.exec", records.get(0).get("action"));
        assertEquals(id.toString(), records.get(0).get("event_id"));
        given().header("X-Service-Token", SERVICE_TOKEN).get("/internal/audit/verify").then().statusCode(200)
                .body("intact", equalTo(true));
    }

    @Test
    void anAuditEventsTraceIdIsStoredAndReturnedAndTheChainStillVerifies() throws Exception {
        String actor = "key-" + UUID.randomUUID();
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String traced = auditEvent(UUID.randomUUID(), actor, "sandbox.create");
        publish(Topics.AUDIT_EVENTS, "sb-0123456789ab",
                traced.substring(0, traced.lastIndexOf('}')) + ",\"trace_id\":\"" + traceId + "\"}");
        // an event from before tracing, and one whose trace id is not one, are recorded without
        publish(Topics.AUDIT_EVENTS, "sb-0123456789ab", auditEvent(UUID.randomUUID(), actor, "sandbox.exec"));
        String made = auditEvent(UUID.randomUUID(), actor, "sandbox.destroy");
        publish(Topics.AUDIT_EVENTS, "sb-0123456789ab",
                made.substring(0, made.lastIndexOf('}')) + ",\"trace_id\":\"<script>\"}");
        List<Map<String, Object>> records = recordsOf(actor, 3);
        Map<String, Object> traceIds = new HashMap<>();
        records.forEach(record -> traceIds.put((String) record.get("action"), record.get("trace_id")));
        assertEquals(traceId, traceIds.get("sandbox.create"), "the trace id is returned: " + records);
        assertTrue(traceIds.containsKey("sandbox.exec") && traceIds.get("sandbox.exec") == null, records.toString());
        assertTrue(traceIds.containsKey("sandbox.destroy") && traceIds.get("sandbox.destroy") == null, records.toString());
        given().header("X-Service-Token", SERVICE_TOKEN).get("/internal/audit/verify").then().statusCode(200)
                .body("intact", equalTo(true));
    }

    @Test
    void anEventDeliveredTwiceIsRecordedOnce() throws Exception {
        String actor = "key-" + UUID.randomUUID();
        String event = auditEvent(UUID.randomUUID(), actor, "sandbox.create");
        publish(Topics.AUDIT_EVENTS, "sb-0123456789ab", event);
        publish(Topics.AUDIT_EVENTS, "sb-0123456789ab", event);
        // a second event of the same actor marks that both deliveries of the first were consumed
        publish(Topics.AUDIT_EVENTS, "sb-0123456789ab", auditEvent(UUID.randomUUID(), actor, "sandbox.destroy"));
        List<Map<String, Object>> records = recordsOf(actor, 2);
        Thread.sleep(500);
        records = recordsOf(actor, 2);
        assertEquals(List.of("sandbox.create", "sandbox.destroy"), records.stream().map(r -> r.get("action")).sorted().toList(),
                "event_id is the idempotency key: " + records);
    }

    @Test
    void aMessageThatIsNoEventGoesToTheDeadLettersAndTheChainStaysIntact() throws Exception {
        String marker = "not an event " + UUID.randomUUID();
        publish(Topics.AUDIT_EVENTS, "junk", marker);
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        boolean found = false;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("stacyvm.dead-letters"));
            Instant deadline = Instant.now().plus(PATIENCE);
            while (!found && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    found |= marker.equals(record.value());
                }
            }
        }
        assertTrue(found, "the refused message is in stacyvm.dead-letters");
        JsonPath verification = given().header("X-Service-Token", SERVICE_TOKEN).get("/internal/audit/verify").then()
                .statusCode(200).extract().jsonPath();
        assertEquals(true, verification.getBoolean("intact"), verification.prettify());
    }

    @Test
    void theAuditLogAnswersOnlyTheServiceToken() {
        given().get("/internal/audit").then().statusCode(401).body("code", equalTo("unauthorized"));
        given().header("X-Service-Token", "not-the-token").get("/internal/audit").then().statusCode(401);
        given().header("X-Service-Token", "not-the-token").get("/internal/audit/verify").then().statusCode(401);
    }
}
