package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.path.json.JsonPath;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The audit log is a hash chain: verify finds a row changed or removed behind the services' back,
 * and a log whose oldest records were deleted (retention) still verifies from its new start.
 */
class AuditChainTest {


    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    @AfterEach
    void destroyLeftovers() {
        sandboxes.close();
    }

    private static Connection database() throws SQLException {
        return Suite.database("audit");
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

    /**
     * An attacker with write access to the database but not the chain key changes a record and
     * re-hashes it and every later record with plain SHA-256, as the chain was hashed before it was
     * keyed, and moves the head: the keyed hash exposes the changed row. Claiming in the database
     * that every record predates the key contradicts the signed head exported outside it.
     */
    @Test
    void aRehashedChainIsDetectedByVerify() throws Exception {
        String id = sandboxes.create(Map.of());
        api().body(Map.of("command", "true")).post("/sandboxes/{id}/exec", id).then().statusCode(200);
        long recordId = auditedRecordOf(id);
        api().get("/admin/audit/verify").then().statusCode(200).body("intact", is(true));

        try (Connection db = database()) {
            List<List<Object>> originals = rowsFrom(db, recordId);
            String originalHead = single(db, "SELECT last_hash FROM audit_chain_head WHERE id = ?", 1);
            String originalKeyedSince = single(db, "SELECT keyed_since::text FROM audit_chain_key WHERE id = ?", 1);
            try {
                update(db, "UPDATE audit_record SET detail = 'exit_code=0 command: nothing to see here' WHERE id = ?", recordId);
                rehashFrom(db, recordId);
                JsonPath broken = verify();
                assertEquals(false, broken.getBoolean("intact"));
                assertEquals(recordId, broken.getLong("broken_at"));
                assertTrue(broken.getString("reason").contains("without the chain key"), broken.getString("reason"));

                // every record "from before the key": the database agrees, the signed head does not
                update(db, "UPDATE audit_chain_key SET keyed_since = (SELECT max(id) FROM audit_record) WHERE id = ?", 1);
                JsonPath stillBroken = verify();
                assertEquals(false, stillBroken.getBoolean("intact"));
                assertTrue(stillBroken.getString("reason").contains("signed chain head"), stillBroken.getString("reason"));
            } finally {
                restore(db, originals, originalHead, originalKeyedSince);
            }
        }
        api().get("/admin/audit/verify").then().statusCode(200).body("intact", is(true));
    }

    /** The id, detail and hashes of every record from {@code fromId} on, to put back. */
    private static List<List<Object>> rowsFrom(Connection db, long fromId) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        try (PreparedStatement query = db.prepareStatement(
                "SELECT id, detail, prev_hash, record_hash FROM audit_record WHERE id >= ? ORDER BY id")) {
            query.setLong(1, fromId);
            try (ResultSet result = query.executeQuery()) {
                while (result.next()) {
                    rows.add(Arrays.asList(result.getLong(1), result.getString(2), result.getString(3), result.getString(4)));
                }
            }
        }
        return rows;
    }

    private static void restore(Connection db, List<List<Object>> rows, String head, String keyedSince) throws SQLException {
        try (PreparedStatement put = db.prepareStatement(
                "UPDATE audit_record SET detail = ?, prev_hash = ?, record_hash = ? WHERE id = ?")) {
            for (List<Object> row : rows) {
                put.setString(1, (String) row.get(1));
                put.setString(2, (String) row.get(2));
                put.setString(3, (String) row.get(3));
                put.setLong(4, (Long) row.get(0));
                put.executeUpdate();
            }
        }
        try (PreparedStatement put = db.prepareStatement("UPDATE audit_chain_head SET last_hash = ? WHERE id = 1")) {
            put.setString(1, head);
            put.executeUpdate();
        }
        try (PreparedStatement put = db.prepareStatement("UPDATE audit_chain_key SET keyed_since = ? WHERE id = 1")) {
            put.setLong(1, Long.parseLong(keyedSince));
            put.executeUpdate();
        }
    }

    /**
     * Recomputes, as plain SHA-256 over the predecessor's hash and every stored field (each
     * length-prefixed, as the chain was hashed before it was keyed), the hash of every record from
     * {@code fromId} on, and points the chain head at the last one.
     */
    private static void rehashFrom(Connection db, long fromId) throws Exception {
        String previous = single(db, "SELECT prev_hash FROM audit_record WHERE id = ?", fromId);
        String columns = "id, event_id, event_type, occurred_at, actor, action, target, outcome, owner_id, sandbox_id,"
                + " worker_id, request_id, source_address, detail, payload";
        try (PreparedStatement query = db.prepareStatement("SELECT " + columns + " FROM audit_record WHERE id >= ? ORDER BY id");
             PreparedStatement put = db.prepareStatement("UPDATE audit_record SET prev_hash = ?, record_hash = ? WHERE id = ?")) {
            query.setLong(1, fromId);
            try (ResultSet result = query.executeQuery()) {
                while (result.next()) {
                    MessageDigest digest = MessageDigest.getInstance("SHA-256");
                    chainField(digest, previous);
                    for (int column = 2; column <= 15; column++) {
                        Object value = column == 4 ? result.getObject(column, OffsetDateTime.class).toInstant()
                                : result.getObject(column);
                        chainField(digest, value == null ? null : value.toString());
                    }
                    String hash = HexFormat.of().formatHex(digest.digest());
                    put.setString(1, previous);
                    put.setString(2, hash);
                    put.setLong(3, result.getLong(1));
                    put.executeUpdate();
                    previous = hash;
                }
            }
        }
        try (PreparedStatement head = db.prepareStatement("UPDATE audit_chain_head SET last_hash = ? WHERE id = 1")) {
            head.setString(1, previous);
            head.executeUpdate();
        }
    }

    private static void chainField(MessageDigest digest, String value) {
        if (value == null) {
            digest.update((byte) 0);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        digest.update((byte) 1);
        digest.update(HexFormat.of().formatHex(ByteBuffer.allocate(4).putInt(bytes.length).array())
                .getBytes(StandardCharsets.US_ASCII));
        digest.update(bytes);
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
