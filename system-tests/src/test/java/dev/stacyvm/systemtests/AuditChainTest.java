package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.path.json.JsonPath;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The audit log is a hash chain: verify finds a row changed or removed behind the services' back,
 * and a log whose oldest records were deleted (retention) still verifies from its new start.
 */
class AuditChainTest {

    private static final String DB_URL = System.getProperty("stacyvm.db-url", "jdbc:postgresql://127.0.0.1:7532/stacyvm");
    private static final String DB_PASSWORD = System.getProperty("stacyvm.db-password", "");

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    @AfterEach
    void destroyLeftovers() {
        sandboxes.close();
    }

    private static Connection database() throws SQLException {
        return DriverManager.getConnection(DB_URL + "?currentSchema=audit", "stacyvm", DB_PASSWORD);
    }

    private static JsonPath verify() {
        return api().get("/admin/audit/verify").then().statusCode(200).extract().jsonPath();
    }

    private long auditedRecordOf(String sandboxId) throws InterruptedException {
        Instant since = Instant.now().minusSeconds(60);
        SandboxLifecycleTest.awaitAuditActions(sandboxId, 2, since);
        return api().queryParam("target", sandboxId).queryParam("action", "sandbox.exec").get("/admin/audit")
                .then().statusCode(200).extract().jsonPath().getLong("[0].id");
    }

    @Test
    void aChangedRowBreaksTheChainThereAndRestoringItMendsIt() throws Exception {
        String id = sandboxes.create(Map.of());
        api().body(Map.of("command", "true")).post("/sandboxes/{id}/exec", id).then().statusCode(200);
        long recordId = auditedRecordOf(id);
        api().get("/admin/audit/verify").then().statusCode(200).body("intact", is(true));

        String original;
        try (Connection db = database()) {
            original = single(db, "SELECT detail FROM audit_record WHERE id = ?", recordId);
            update(db, "UPDATE audit_record SET detail = 'exit_code=0 command: nothing to see here' WHERE id = ?", recordId);
            try {
                JsonPath broken = verify();
                assertEquals(false, broken.getBoolean("intact"));
                assertEquals(recordId, broken.getLong("broken_at"));
                assertTrue(broken.getString("reason").contains("changed"), broken.getString("reason"));
            } finally {
                try (PreparedStatement restore = db.prepareStatement("UPDATE audit_record SET detail = ? WHERE id = ?")) {
                    restore.setString(1, original);
                    restore.setLong(2, recordId);
                    restore.executeUpdate();
                }
            }
        }
        api().get("/admin/audit/verify").then().statusCode(200).body("intact", is(true));
    }

    @Test
    void aRemovedRowBreaksTheChainButRetentionFromTheStartDoesNot() throws Exception {
        String id = sandboxes.create(Map.of());
        api().body(Map.of("command", "true")).post("/sandboxes/{id}/exec", id).then().statusCode(200);
        long recordId = auditedRecordOf(id);
        try (Connection db = database()) {
            List<Object> row = copyRow(db, recordId);
            update(db, "DELETE FROM audit_record WHERE id = ?", recordId);
            try {
                JsonPath broken = verify();
                assertEquals(false, broken.getBoolean("intact"));
                assertTrue(broken.getString("reason").contains("removed"), broken.getString("reason"));
            } finally {
                pasteRow(db, row);
            }
            api().get("/admin/audit/verify").then().statusCode(200).body("intact", is(true));

            // retention deletes the oldest records: the chain verifies from its new start
            long oldest = verify().getLong("first_id");
            update(db, "DELETE FROM audit_record WHERE id = ?", oldest);
            api().get("/admin/audit/verify").then().statusCode(200)
                    .body("intact", is(true))
                    .body("first_id", org.hamcrest.Matchers.greaterThan((int) oldest));
        }
    }

    @Test
    void verifyIsForAdministratorsOnly() {
        Suite.anonymous().get("/admin/audit/verify").then().statusCode(401).body("code", equalTo("unauthorized"));
        api().get("/admin/audit/verify").then().statusCode(200).body("records", org.hamcrest.Matchers.greaterThan(0))
                .body("reason", org.hamcrest.Matchers.nullValue());
        assertTrue(verify().getString("intact") != null, "verify answers whether the chain is intact");
        api().get("/admin/audit/verify").then().body(containsString("intact"));
    }

    private static String single(Connection db, String sql, long id) throws SQLException {
        try (PreparedStatement query = db.prepareStatement(sql)) {
            query.setLong(1, id);
            try (ResultSet result = query.executeQuery()) {
                result.next();
                return result.getString(1);
            }
        }
    }

    private static void update(Connection db, String sql, long id) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            statement.setLong(1, id);
            assertEquals(1, statement.executeUpdate());
        }
    }

    private static final List<String> COLUMNS = new ArrayList<>();

    private static List<Object> copyRow(Connection db, long id) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("SELECT * FROM audit_record WHERE id = ?")) {
            query.setLong(1, id);
            try (ResultSet result = query.executeQuery()) {
                result.next();
                ResultSetMetaData meta = result.getMetaData();
                List<Object> row = new ArrayList<>();
                COLUMNS.clear();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    COLUMNS.add(meta.getColumnName(i));
                    row.add(result.getObject(i));
                }
                return row;
            }
        }
    }

    private static void pasteRow(Connection db, List<Object> row) throws SQLException {
        String sql = "INSERT INTO audit_record (" + String.join(", ", COLUMNS) + ") VALUES ("
                + String.join(", ", COLUMNS.stream().map(column -> "?").toList()) + ")";
        try (PreparedStatement insert = db.prepareStatement(sql)) {
            for (int i = 0; i < row.size(); i++) {
                insert.setObject(i + 1, row.get(i));
            }
            insert.executeUpdate();
        }
    }
}
