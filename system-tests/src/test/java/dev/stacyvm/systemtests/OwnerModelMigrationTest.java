package dev.stacyvm.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The owner-model migrations (gateway V4, scheduler V6) on records written before them: fresh
 * schemas in the suite's PostgreSQL are migrated to the previous version with the services' own
 * migration files, rows are inserted as the old services wrote them, and the migration then runs as
 * Flyway runs it at start. An old {@code tenant:x} stays the key's own when a key of that tenant is
 * named x; any other was an end user's of a key that cannot be known and must belong to no key.
 */
class OwnerModelMigrationTest {

    private static final Path GATEWAY_MIGRATIONS = repository().resolve("api-gateway/src/main/resources/db/migration");
    private static final Path SCHEDULER_MIGRATIONS = repository().resolve("scheduler-service/src/main/resources/db/migration");

    private final String prefix = "owners_mig_" + UUID.randomUUID().toString().substring(0, 8);
    private final String gateway = prefix + "_gateway";
    private final String scheduler = prefix + "_scheduler";

    private static Path repository() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("api-gateway")) ? here : here.getParent();
    }

    private static Connection database() throws SQLException {
        return Suite.database(null);
    }

    private Flyway flyway(String schema, Path migrations, String target, Map<String, String> placeholders) {
        var configuration = Flyway.configure()
                .dataSource(Suite.DB_URL, Suite.DB_USER, Suite.DB_PASSWORD)
                .schemas(schema)
                .defaultSchema(schema)
                .locations("filesystem:" + migrations)
                .placeholders(placeholders);
        if (target != null) {
            configuration.target(target);
        }
        return configuration.load();
    }

    @AfterEach
    void dropSchemas() throws SQLException {
        try (Connection db = database(); Statement statement = db.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + gateway + " CASCADE");
            statement.execute("DROP SCHEMA IF EXISTS " + scheduler + " CASCADE");
        }
    }

    @Test
    void oldOwnersBecomeTheirKeysOwnOrNoKeysAtAll() throws SQLException {
        flyway(gateway, GATEWAY_MIGRATIONS, "3", Map.of()).migrate();
        flyway(scheduler, SCHEDULER_MIGRATIONS, "5", Map.of("gateway_schema", gateway)).migrate();
        try (Connection db = database()) {
            key(db, "acme", "alice", false);
            key(db, "acme", "bob", false);
            key(db, "acme", "ci:bot", false);
            key(db, "acme", "retired", true);
            key(db, "globex", "carol", false);
            for (String owner : new String[] {"acme:alice", "acme:carol", "acme:ci:bot"}) {
                execute(db, "INSERT INTO " + gateway + ".template (owner_id, name, spec, created_at, updated_at)"
                        + " VALUES (?, 'py', '{\"name\":\"py\",\"env\":{\"TOKEN\":\"s3cret\"}}', now(), now())", owner);
            }
            for (String owner : new String[] {"acme:bob", "acme:dave", "default:bootstrap-admin"}) {
                execute(db, "INSERT INTO " + gateway + ".quota (owner_id, max_sandboxes, updated_at) VALUES (?, 2, now())", owner);
            }
            String[] sandboxes = {"acme:alice", "acme:carol", "acme:retired", "acme:ci:bot", "globex:alice",
                "default:bootstrap-admin", "acme:we@ird%"};
            for (int i = 0; i < sandboxes.length; i++) {
                execute(db, "INSERT INTO " + scheduler + ".sandbox (id, owner_id, state, provider, image, memory_mb, vcpus,"
                        + " pids_limit, network, created_at, expires_at, updated_at) VALUES (?, ?, 'running', 'docker',"
                        + " 'stacyvm/base:bookworm', 512, 1, 256, 'none', now(), now() + interval '1 hour', now())",
                        "sbx_old" + i, sandboxes[i]);
            }
        }

        flyway(gateway, GATEWAY_MIGRATIONS, null, Map.of()).migrate();
        flyway(scheduler, SCHEDULER_MIGRATIONS, null, Map.of("gateway_schema", gateway)).migrate();

        try (Connection db = database()) {
            assertEquals(Map.of(
                    "acme:alice", "py", // key alice's own: unchanged
                    "acme::carol", "py", // an end user of some key: no key's
                    "acme:ci%3Abot", "py"), // key "ci:bot": its name encoded, so it cannot read as key ci's user bot
                    pairs(db, "SELECT owner_id, name FROM " + gateway + ".template"));
            assertEquals(Map.of("acme:bob", "2", "acme::dave", "2", "default:bootstrap-admin", "2"),
                    pairs(db, "SELECT owner_id, max_sandboxes FROM " + gateway + ".quota"));
            assertEquals("{\"env\": {\"TOKEN\": \"s3cret\"}, \"name\": \"py\"}",
                    pairs(db, "SELECT owner_id, spec::text FROM " + gateway + ".template").get("acme::carol"),
                    "the template itself is kept");
            Map<String, String> owners = pairs(db, "SELECT id, owner_id || ' ' || owner_key || ' ' || owner_tenant FROM "
                    + scheduler + ".sandbox");
            assertEquals(Map.of(
                    "sbx_old0", "acme:alice acme:alice acme",
                    "sbx_old1", "acme::carol acme: acme",
                    "sbx_old2", "acme:retired acme:retired acme", // a revoked key is still that identity
                    "sbx_old3", "acme:ci%3Abot acme:ci%3Abot acme",
                    "sbx_old4", "globex::alice globex: globex", // alice is a key of acme, not of globex
                    "sbx_old5", "default:bootstrap-admin default:bootstrap-admin default",
                    "sbx_old6", "acme::we@ird% acme: acme"), owners);
        }
    }

    @Test
    void withoutTheGatewaysKeysEveryOldEndUserRecordBelongsToNoKey() throws SQLException {
        String missing = prefix + "_nowhere";
        flyway(scheduler, SCHEDULER_MIGRATIONS, "5", Map.of("gateway_schema", missing)).migrate();
        try (Connection db = database()) {
            execute(db, "INSERT INTO " + scheduler + ".sandbox (id, owner_id, state, provider, image, memory_mb, vcpus,"
                    + " pids_limit, network, created_at, expires_at, updated_at) VALUES (?, ?, 'destroyed', 'docker',"
                    + " 'stacyvm/base:bookworm', 512, 1, 256, 'none', now(), now(), now())", "sbx_old", "acme:alice");
        }
        flyway(scheduler, SCHEDULER_MIGRATIONS, null, Map.of("gateway_schema", missing)).migrate();
        try (Connection db = database()) {
            assertEquals(Map.of("sbx_old", "acme::alice"), pairs(db, "SELECT id, owner_id FROM " + scheduler + ".sandbox"));
        }
    }

    private void key(Connection db, String tenant, String name, boolean revoked) throws SQLException {
        execute(db, "INSERT INTO " + gateway + ".api_key (id, name, tenant, role, key_hash, created_at, revoked_at)"
                + " VALUES (?, ?, ?, 'user', ?, now(), " + (revoked ? "now()" : "NULL") + ")",
                "key_" + UUID.randomUUID(), name, tenant, UUID.randomUUID().toString());
    }

    private static void execute(Connection db, String sql, String... values) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                statement.setString(i + 1, values[i]);
            }
            statement.executeUpdate();
        }
    }

    private static Map<String, String> pairs(Connection db, String sql) throws SQLException {
        Map<String, String> pairs = new LinkedHashMap<>();
        try (Statement statement = db.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                pairs.put(rows.getString(1), rows.getString(2));
            }
        }
        return pairs;
    }
}
