import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The launcher's admin step after Kafka starts (run by ./stacyvm with the broker's jars on the
 * class path): as the super user {@code admin} over SASL/PLAIN it makes every service's
 * SCRAM-SHA-512 credential match secrets.env (so an installation formatted before Kafka had
 * credentials gains them without a reformat, and a changed secret takes effect), creates the
 * topics, and grants each principal exactly its own topics and consumer groups (the table below,
 * also in docs/security.md). Idempotent: it runs on every start of the broker.
 *
 * <p>Arguments: the bootstrap address. Environment: {@code KAFKA_ADMIN_PASSWORD} and, per
 * principal, {@code KAFKA_PASSWORD_<NAME>} (name upper-cased, '-' as '_'). Exits non-zero on any
 * failure, so the launcher stops before starting services that could not connect.
 */
public class KafkaSetup {

    static final String SANDBOX_EVENTS = "stacyvm.sandbox-events";
    static final String AUDIT_EVENTS = "stacyvm.audit-events";
    static final String DEAD_LETTERS = "stacyvm.dead-letters";
    static final String PREVIEW_ROUTES = "stacyvm.preview-routes";

    record Grant(String principal, ResourceType type, String name, PatternType pattern, AclOperation operation) {
    }

    /** Who may do what: producers WRITE (which covers idempotent producing), consumers READ topic and group. */
    static List<Grant> grants() {
        List<Grant> grants = new ArrayList<>();
        // the gateway's outbox publishes audit events
        grants.add(topic("gateway", AUDIT_EVENTS, AclOperation.WRITE));
        // and reads the sandbox events for GET /events, assigned partitions in no group (it commits nothing)
        grants.add(topic("gateway", SANDBOX_EVENTS, AclOperation.READ));
        // the scheduler's outbox publishes sandbox events and preview routes; it makes sure the
        // compacted routes topic exists and is compacted at start (create, then alter its configs)
        grants.add(topic("scheduler", SANDBOX_EVENTS, AclOperation.WRITE));
        grants.add(topic("scheduler", PREVIEW_ROUTES, AclOperation.WRITE));
        grants.add(topic("scheduler", PREVIEW_ROUTES, AclOperation.CREATE));
        grants.add(topic("scheduler", PREVIEW_ROUTES, AclOperation.ALTER_CONFIGS));
        // the audit service consumes both event topics in its own groups and dead-letters poison
        grants.add(topic("audit", SANDBOX_EVENTS, AclOperation.READ));
        grants.add(topic("audit", AUDIT_EVENTS, AclOperation.READ));
        grants.add(topic("audit", DEAD_LETTERS, AclOperation.WRITE));
        grants.add(group("audit", "stacyvm-audit."));
        // the preview-router reads the routes in a fresh group per run (preview-router-<uuid>)
        grants.add(topic("preview-router", PREVIEW_ROUTES, AclOperation.READ));
        grants.add(group("preview-router", "preview-router-"));
        // the system tests put a poison message on the audit topic and read the dead letters
        grants.add(topic("system-tests", AUDIT_EVENTS, AclOperation.WRITE));
        grants.add(topic("system-tests", DEAD_LETTERS, AclOperation.READ));
        // and read the sandbox events a create publishes (its pull's progress)
        grants.add(topic("system-tests", SANDBOX_EVENTS, AclOperation.READ));
        grants.add(group("system-tests", "system-tests."));
        return grants;
    }

    static Grant topic(String principal, String name, AclOperation operation) {
        return new Grant(principal, ResourceType.TOPIC, name, PatternType.LITERAL, operation);
    }

    static Grant group(String principal, String prefix) {
        return new Grant(principal, ResourceType.GROUP, prefix, PatternType.PREFIXED, AclOperation.READ);
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String adminPassword = require("KAFKA_ADMIN_PASSWORD");
        Map<String, String> passwords = new LinkedHashMap<>();
        for (Grant grant : grants()) {
            passwords.computeIfAbsent(grant.principal(),
                    name -> require("KAFKA_PASSWORD_" + name.toUpperCase().replace('-', '_')));
        }
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        config.put("security.protocol", "SASL_PLAINTEXT");
        config.put("sasl.mechanism", "PLAIN");
        config.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\""
                + " password=\"" + adminPassword + "\";");
        try (Admin admin = Admin.create(config)) {
            List<UserScramCredentialAlteration> upserts = new ArrayList<>();
            passwords.forEach((name, password) -> upserts.add(new UserScramCredentialUpsertion(name,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password)));
            admin.alterUserScramCredentials(upserts).all().get(60, TimeUnit.SECONDS);

            Set<String> existing = new HashSet<>(admin.listTopics().names().get(60, TimeUnit.SECONDS));
            List<NewTopic> missing = new ArrayList<>();
            for (String name : List.of(SANDBOX_EVENTS, AUDIT_EVENTS, DEAD_LETTERS)) {
                if (!existing.contains(name)) {
                    missing.add(new NewTopic(name, 3, (short) 1));
                }
            }
            if (!existing.contains(PREVIEW_ROUTES)) {
                // as the scheduler would create it: compacted, so the latest route per sandbox stays
                missing.add(new NewTopic(PREVIEW_ROUTES, 3, (short) 1).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "0",
                        TopicConfig.SEGMENT_MS_CONFIG, String.valueOf(TimeUnit.HOURS.toMillis(1)))));
            }
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e;
                    }
                }
            }

            List<AclBinding> bindings = new ArrayList<>();
            for (Grant grant : grants()) {
                bindings.add(new AclBinding(new ResourcePattern(grant.type(), grant.name(), grant.pattern()),
                        new AccessControlEntry("User:" + grant.principal(), "*", grant.operation(), AclPermissionType.ALLOW)));
            }
            // creating a binding that exists is a no-op
            admin.createAcls(bindings).all().get(60, TimeUnit.SECONDS);
        }
        System.out.println("kafka: credentials of " + String.join(", ", passwords.keySet()) + ", topics and ACLs in place");
    }

    static String require(String name) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            System.err.println("KafkaSetup: " + name + " is not set");
            System.exit(2);
        }
        return value;
    }
}
