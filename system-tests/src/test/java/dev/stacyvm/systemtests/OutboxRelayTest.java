package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's audit outbox against the real PostgreSQL and Kafka: an event is relayed to the
 * audit log once, and its outbox row is then marked published and stays so (a row left unmarked
 * would be sent again on every round of the relay).
 */
class OutboxRelayTest {


    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    @AfterEach
    void destroyLeftovers() {
        sandboxes.close();
    }

    @Test
    void anAuditedExecReachesTheAuditLogOnceAndItsOutboxRowIsMarkedPublished() throws Exception {
        Instant since = Instant.now().minusSeconds(1);
        String id = sandboxes.create(Map.of());
        String marker = "outbox-" + UUID.randomUUID();
        api().body(Map.of("command", "echo " + marker)).post("/sandboxes/{id}/exec", id).then().statusCode(200);
        assertEquals(List.of("sandbox.create", "sandbox.exec"), SandboxLifecycleTest.awaitAuditActions(id, 2, since),
                "the audit log has the create and the exec");

        // the mark is committed right after the broker's acknowledgement, in the same relay round
        String unpublished = "SELECT count(*) FROM outbox_message WHERE payload LIKE ? AND published_at IS NULL";
        String published = "SELECT count(*) FROM outbox_message WHERE payload LIKE ? AND published_at IS NOT NULL";
        for (int attempt = 0; attempt < 100 && count(unpublished, marker) > 0; attempt++) {
            Thread.sleep(100);
        }
        assertEquals(1, count(published, marker), "the exec's outbox row is marked published");
        assertEquals(0, count(unpublished, marker), "and none is left for the relay to send again");
        // several of the relay's timed rounds later (one a second), it is still marked and was not sent again
        Thread.sleep(2_500);
        assertEquals(1, count(published, marker), "the row stays marked");
        api().queryParam("target", id).queryParam("action", "sandbox.exec").get("/admin/audit").then().statusCode(200)
                .body("size()", org.hamcrest.Matchers.equalTo(1));
    }

    private static int count(String sql, String marker) throws Exception {
        try (Connection db = Suite.database("gateway");
             PreparedStatement statement = db.prepareStatement(sql)) {
            statement.setString(1, "%" + marker + "%");
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
