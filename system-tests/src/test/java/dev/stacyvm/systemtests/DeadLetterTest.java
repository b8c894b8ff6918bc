package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A poison message on an event topic goes to the dead-letter topic with the reason, and the audit
 * service carries on with the messages after it.
 */
class DeadLetterTest {

    @Test
    void aPoisonMessageGoesToTheDeadLettersWithItsReasonAndTheLogGoesOn() throws Exception {
        String poison = "not an event " + UUID.randomUUID();
        Map<String, Object> producerConfig = SuiteKafka.asTests();
        producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
            producer.send(new ProducerRecord<>("stacyvm.audit-events", "poison", poison)).get(30, TimeUnit.SECONDS);
        }

        String reason = null;
        Map<String, Object> consumerConfig = SuiteKafka.asTests();
        // the tests' principal may use only groups named system-tests.*
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "system-tests.dead-letters-" + UUID.randomUUID());
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
            consumer.subscribe(List.of("stacyvm.dead-letters"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (reason == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (poison.equals(record.value())) {
                        Header header = record.headers().lastHeader("dead-letter-reason");
                        reason = header == null ? "(no reason header)" : new String(header.value(), StandardCharsets.UTF_8);
                    }
                }
            }
        }
        assertTrue(reason != null, "the poison message reached stacyvm.dead-letters");
        assertTrue(reason.contains("not a StacyVM event"), "the dead letter says why: " + reason);

        // the audit service goes on: a call after the poison message is recorded
        String marker = "/sandboxes/after-poison-" + UUID.randomUUID().toString().substring(0, 8);
        Suite.anonymous().get(marker);
        String found = "";
        for (int attempt = 0; attempt < 120 && !found.contains(marker); attempt++) {
            Thread.sleep(250);
            found = api().queryParam("action", "auth.denied").queryParam("target", "/api/v1" + marker)
                    .get("/admin/audit").asString();
        }
        assertTrue(found.contains(marker), "audit records after the poison message still arrive");
    }
}
