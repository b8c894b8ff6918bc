package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A second scheduler instance beside the suite's, on the same database and Kafka: exactly one of
 * them holds the maintenance lease, so expired sandboxes go through expiry exactly once; and when
 * the second one is killed outright, expiry goes on.
 */
class TwoSchedulersTest {

    private static final String JAVA = System.getProperty("stacyvm.java", System.getProperty("java.home") + "/bin/java");
    private static final String SCHEDULER_JAR = System.getProperty("stacyvm.scheduler-jar", "");
    private static final String KAFKA = System.getProperty("stacyvm.kafka-bootstrap", "127.0.0.1:7592");
    private static final String SERVICE_TOKEN = System.getProperty("stacyvm.service-token", "");

    private Process second;
    private Path log;
    private final List<String> ids = new ArrayList<>();

    @AfterEach
    void stopTheSecondScheduler() throws Exception {
        if (second != null && second.isAlive()) {
            second.destroyForcibly();
            second.waitFor(20, TimeUnit.SECONDS);
        }
        for (String id : ids) {
            api().delete("/sandboxes/{id}", id);
        }
        if (log != null) {
            Files.deleteIfExists(log);
        }
    }

    private static Connection database() throws Exception {
        return Suite.database("scheduler");
    }

    private static int count(String sql, String... parameters) throws Exception {
        try (Connection db = database(); PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private static boolean ready(int port) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/q/health/ready")
                    .toURL().openConnection();
            connection.setConnectTimeout(500);
            return connection.getResponseCode() == 200;
        } catch (Exception notYet) {
            return false;
        }
    }

    private String awaitGone(String id, int seconds) throws InterruptedException {
        int status = 0;
        for (int attempt = 0; attempt < seconds * 4 && status != 404; attempt++) {
            Thread.sleep(250);
            status = api().get("/sandboxes/{id}", id).statusCode();
        }
        return status == 404 ? "gone" : "still there";
    }

    @Test
    void twoSchedulersExpireEachSandboxOnceAndExpiryOutlivesEitherOne() throws Exception {
        assertTrue(!SCHEDULER_JAR.isEmpty() && new File(SCHEDULER_JAR).isFile(), "run through ./stacyvm test (-Dstacyvm.scheduler-jar)");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String dbPort = Suite.DB_URL.replaceAll(".*:(\\d+)/.*", "$1");
        log = Files.createTempFile("stacyvm-second-scheduler-", ".log");
        ProcessBuilder builder = new ProcessBuilder(JAVA, "-Xmx256m", "-XX:+UseSerialGC", "-jar", SCHEDULER_JAR)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(Map.of(
                "QUARKUS_HTTP_PORT", String.valueOf(port),
                "STACYVM_DB_PORT", dbPort,
                "STACYVM_DB_PASSWORD", Suite.DB_PASSWORD,
                "STACYVM_KAFKA_BOOTSTRAP", KAFKA,
                "STACYVM_KAFKA_USERNAME", "scheduler",
                "STACYVM_KAFKA_PASSWORD", SuiteKafka.password("stacyvm.kafka-scheduler-password"),
                "STACYVM_SERVICE_TOKEN", SERVICE_TOKEN,
                "STACYVM_SCHEDULER_RECONCILE_INTERVAL", "1s",
                "STACYVM_SCHEDULER_EXPIRY_INTERVAL", "1s",
                "STACYVM_SCHEDULER_WORKER_HEARTBEAT_TIMEOUT", "10s"));
        second = builder.start();
        for (int attempt = 0; attempt < 480 && !ready(port); attempt++) {
            assertTrue(second.isAlive(), "the second scheduler exited: " + Files.readString(log));
            Thread.sleep(250);
        }
        assertTrue(ready(port), "the second scheduler is ready: " + Files.readString(log));
        assertEquals(1, count("SELECT count(*) FROM scheduler_lease WHERE name = 'maintenance' AND expires_at > now()"),
                "one instance holds the maintenance lease");

        for (int i = 0; i < 4; i++) {
            ids.add(api().body(Map.of("ttl", "2s")).post("/sandboxes").then().statusCode(201).extract().path("id"));
        }
        for (String id : ids) {
            assertEquals("gone", awaitGone(id, 60), id + " expired and was destroyed");
        }
        for (String id : ids) {
            for (String state : List.of("expired", "destroying", "destroyed")) {
                assertEquals(1, count("SELECT count(*) FROM outbox_message WHERE topic = 'stacyvm.sandbox-events'"
                        + " AND message_key = ? AND payload::jsonb ->> 'to_state' = ?", id, state),
                        id + " became " + state + " exactly once");
            }
        }

        // killed outright, it cannot hand the lease over: whoever holds it next goes on expiring
        second.destroyForcibly();
        second.waitFor(20, TimeUnit.SECONDS);
        String late = api().body(Map.of("ttl", "1s")).post("/sandboxes").then().statusCode(201).extract().path("id");
        ids.add(late);
        assertEquals("gone", awaitGone(late, 60), "expiry goes on after a scheduler died");
    }
}
