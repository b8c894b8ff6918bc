package dev.stacyvm.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, finding 8: the suite's Kafka lets in only the services' own principals, each only to
 * its own topics and groups, its state is for its own users only, and the services do not run as
 * root. Talks only to the suite's broker on loopback.
 */
class KafkaAccessTest {

    private static final Path HOME = Path.of(System.getProperty("stacyvm.home", ".stacyvm"));
    private static final int CONTROLLER_PORT = Integer.parseInt(SuiteKafka.BOOTSTRAP.replaceAll(".*:", "")) + 1;
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = Set.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    /** Short timeouts: a refused client gives up in seconds instead of retrying for a minute. */
    private static Map<String, Object> quick(Map<String, Object> config) {
        Map<String, Object> quick = new HashMap<>(config);
        quick.put("default.api.timeout.ms", 6000);
        quick.put("request.timeout.ms", 4000);
        quick.put("max.block.ms", 6000);
        quick.put("delivery.timeout.ms", 8000);
        quick.put("linger.ms", 0);
        quick.put("reconnect.backoff.max.ms", 500);
        return quick;
    }

    private static Map<String, Object> plain(String bootstrap) {
        return quick(Map.of("bootstrap.servers", bootstrap));
    }

    private static Throwable produce(Map<String, Object> config, String topic) {
        Map<String, Object> producerConfig = quick(config);
        producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
            producer.send(new ProducerRecord<>(topic, "sb-forged", "{\"forged\":true}")).get(20, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }

    private static Throwable consume(Map<String, Object> config, String group, String topic) {
        Map<String, Object> consumerConfig = quick(config);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            // bounded: until the group assigned partitions (allowed) or the broker refused (thrown)
            while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500));
            }
            return consumer.assignment().isEmpty() ? new IllegalStateException("no partitions assigned") : null;
        } catch (KafkaException e) {
            return e;
        }
    }

    @Test
    void anUnauthenticatedClientCannotReachKafka() throws Exception {
        // no credentials at all, on the client and on the controller listener
        try (Admin admin = Admin.create(plain(SuiteKafka.BOOTSTRAP))) {
            assertThrows(ExecutionException.class, () -> admin.listTopics().names().get(20, TimeUnit.SECONDS),
                    "a plain client cannot list topics");
        }
        Map<String, Object> controller = quick(Map.of("bootstrap.controllers", "127.0.0.1:" + CONTROLLER_PORT));
        try (Admin admin = Admin.create(controller)) {
            assertThrows(ExecutionException.class, () -> admin.describeCluster().clusterId().get(20, TimeUnit.SECONDS),
                    "a plain client cannot talk to the controller");
        }
        assertNotEquals(null, produce(plain(SuiteKafka.BOOTSTRAP), "stacyvm.audit-events"), "a plain client cannot produce");
        assertNotEquals(null, consume(plain(SuiteKafka.BOOTSTRAP), "system-tests.plain-" + UUID.randomUUID(),
                "stacyvm.audit-events"), "a plain client cannot consume");

        // a known principal with a wrong password, by SCRAM and by PLAIN (the admin's mechanism)
        Throwable wrong = produce(SuiteKafka.as("gateway", "not-the-password"), "stacyvm.audit-events");
        assertInstanceOf(SaslAuthenticationException.class, wrong, "a wrong SCRAM password is refused: " + wrong);
        Map<String, Object> plainAdmin = new HashMap<>(SuiteKafka.as("admin", "guess"));
        plainAdmin.put("sasl.mechanism", "PLAIN");
        plainAdmin.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"admin\" password=\"guess\";");
        try (Admin admin = Admin.create(quick(plainAdmin))) {
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> admin.listTopics().names().get(20, TimeUnit.SECONDS), "a guessed admin password is refused");
            assertInstanceOf(SaslAuthenticationException.class, refused.getCause(), refused.toString());
        }
    }

    @Test
    void aServiceCredentialCannotProduceToAnotherServicesTopic() {
        Map<String, Object> previewRouter = SuiteKafka.as("preview-router",
                SuiteKafka.password("stacyvm.kafka-preview-router-password"));
        Map<String, Object> gateway = SuiteKafka.as("gateway", SuiteKafka.password("stacyvm.kafka-gateway-password"));

        // the credentials work for what is theirs: the router reads its routes in its own groups
        assertEquals(null, consume(previewRouter, "preview-router-test-" + UUID.randomUUID(), "stacyvm.preview-routes"),
                "the preview-router reads the preview routes");

        // and for nothing else
        for (String topic : List.of("stacyvm.audit-events", "stacyvm.sandbox-events", "stacyvm.preview-routes")) {
            Throwable refused = produce(previewRouter, topic);
            assertInstanceOf(AuthorizationException.class, refused, "the preview-router cannot write " + topic + ": " + refused);
        }
        for (String topic : List.of("stacyvm.preview-routes", "stacyvm.sandbox-events", "stacyvm.dead-letters")) {
            Throwable refused = produce(gateway, topic);
            assertInstanceOf(AuthorizationException.class, refused, "the gateway cannot write " + topic + ": " + refused);
        }
        // nor read what another service reads: every tenant's commands are in the audit events
        Throwable reading = consume(previewRouter, "preview-router-snoop-" + UUID.randomUUID(), "stacyvm.audit-events");
        assertInstanceOf(AuthorizationException.class, reading, "the preview-router cannot read audit events: " + reading);
        reading = consume(gateway, "stacyvm-audit.audit-events", "stacyvm.audit-events");
        assertInstanceOf(AuthorizationException.class, reading, "the gateway cannot join the audit service's group: " + reading);
        // the tests' own principal: its group prefix only, and not the routes
        reading = consume(SuiteKafka.asTests(), "preview-router-" + UUID.randomUUID(), "stacyvm.preview-routes");
        assertInstanceOf(AuthorizationException.class, reading, "the tests' principal cannot read preview routes: " + reading);
        Throwable forged = produce(SuiteKafka.asTests(), "stacyvm.preview-routes");
        assertInstanceOf(AuthorizationException.class, forged, "the tests' principal cannot forge preview routes: " + forged);
    }

    @Test
    void kafkaStateIsNotReadableByOtherUsers() throws IOException {
        assertTrue(Files.isRegularFile(HOME.resolve("secrets.env")), "run through ./stacyvm test (-Dstacyvm.home): " + HOME);
        List<Path> private_ = new ArrayList<>(List.of(HOME.resolve("secrets.env"), HOME.resolve("logs"), HOME.resolve("run"),
                HOME.resolve("kafka").toRealPath(), HOME.resolve("kafka").toRealPath().resolve("server.properties"),
                HOME.resolve("postgres").toRealPath()));
        Path data = HOME.resolve("kafka").toRealPath().resolve("data");
        private_.add(data);
        try (Stream<Path> files = Files.walk(data, 3)) {
            // the log segments of every topic (every tenant's commands), bounded in number
            files.limit(5000).forEach(private_::add);
        }
        for (Path path : private_) {
            Set<PosixFilePermission> modes = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> open = modes.stream().filter(GROUP_OR_OTHERS::contains)
                    .collect(java.util.stream.Collectors.toSet());
            assertTrue(open.isEmpty(), path + " is for its owner only, but grants " + open);
        }
        // the state directory itself may be crossed to reach those, but not listed
        Set<PosixFilePermission> home = Files.getPosixFilePermissions(HOME.toRealPath());
        assertFalse(home.contains(PosixFilePermission.OTHERS_READ) || home.contains(PosixFilePermission.GROUP_READ)
                || home.contains(PosixFilePermission.OTHERS_WRITE), HOME + " cannot be listed by others: " + home);
    }

    @Test
    void theServicesRunAsTheDedicatedUserWhenStartedAsRoot() throws IOException {
        Path run = HOME.resolve("run");
        assertTrue(Files.isDirectory(run), "run through ./stacyvm test (-Dstacyvm.home): " + HOME);
        int launcher = (Integer) Files.getAttribute(run, "unix:uid");
        int dockerGroup = (Integer) Files.getAttribute(Path.of("/var/run/docker.sock"), "unix:gid");
        Map<String, String> expected = new HashMap<>();
        for (String service : List.of("api-gateway", "scheduler-service", "worker-service", "audit-service", "preview-router")) {
            expected.put(service, "stacyvm");
        }
        // a user of its own: one user's processes can read each other's environment
        expected.put("worker-service", "stacyvm-worker");
        expected.put("kafka", "stacyvm-kafka");
        for (Map.Entry<String, String> entry : expected.entrySet()) {
            String pid = Files.readString(run.resolve(entry.getKey() + ".pid")).trim();
            List<String> status = Files.readAllLines(Path.of("/proc", pid, "status"));
            int[] uids = ids(status, "Uid:");
            List<String> groups = List.of(field(status, "Groups:").split("\\s+"));
            if (launcher == 0) {
                int user = uidOf(entry.getValue());
                for (int uid : uids) {
                    assertEquals(user, uid, entry.getKey() + " runs as " + entry.getValue() + ", real, effective and saved");
                }
                assertFalse(groups.contains("0"), entry.getKey() + " is not in root's group: " + groups);
                assertEquals(entry.getKey().equals("worker-service"), groups.contains(String.valueOf(dockerGroup)),
                        entry.getKey() + ": only the worker may use the Docker socket; groups " + groups);
                assertEquals("0000000000000000", field(status, "CapEff:"), entry.getKey() + " holds no capabilities");
            } else {
                assertEquals(launcher, uids[1], entry.getKey() + " runs as the user who started it");
            }
        }
    }

    private static String field(List<String> status, String name) {
        return status.stream().filter(line -> line.startsWith(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in the process status"))
                .substring(name.length()).trim();
    }

    private static int[] ids(List<String> status, String name) {
        return Stream.of(field(status, name).split("\\s+")).mapToInt(Integer::parseInt).toArray();
    }

    private static int uidOf(String user) throws IOException {
        for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
            String[] fields = line.split(":");
            if (fields[0].equals(user)) {
                return Integer.parseInt(fields[2]);
            }
        }
        throw new AssertionError("no system user " + user);
    }
}
