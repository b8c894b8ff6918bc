package dev.stacyvm.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * A real Kafka broker for a module's {@code @QuarkusTest}s: the broker jars {@code ./stacyvm}
 * runs ({@code deploy/kafka/pom.xml}, copied once into {@code target/kafka-broker} of the
 * project's root), in KRaft mode in a JVM of its own, plaintext on a free loopback port, its data
 * in a temporary folder. Gives the service {@code stacyvm.kafka.bootstrap} (the test profile
 * speaks plaintext). Stopped and deleted after the module's tests.
 *
 * <p>Init argument {@code topics}: comma-separated topics to create before the service starts
 * (the services never auto-create topics; {@code ./stacyvm} makes them with their ACLs). A name
 * ending in {@code :compact} is created compacted.
 *
 * @throws IllegalStateException from {@link #start()} when the broker's jars cannot be copied
 *     (Maven Central unreachable and not in the local repository) or the broker does not start
 *     within 90 s
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private List<String> topics = List.of();
    private Path folder;
    private Process broker;

    @Override
    public void init(Map<String, String> args) {
        String list = args.getOrDefault("topics", "");
        topics = Arrays.stream(list.split(",")).map(String::trim).filter(topic -> !topic.isEmpty()).toList();
    }

    @Override
    public Map<String, String> start() {
        Path libs = brokerJars();
        int port = LocalProcesses.freePort();
        int controller = LocalProcesses.freePort();
        try {
            folder = Files.createTempDirectory("stacyvm-test-kafka-");
            Path config = folder.resolve("server.properties");
            Files.writeString(config, String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.voters=1@127.0.0.1:" + controller,
                    "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                    "controller.listener.names=CONTROLLER",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "log.dirs=" + folder.resolve("data"),
                    "num.partitions=1",
                    "auto.create.topics.enable=false",
                    "offsets.topic.replication.factor=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0") + "\n");
            Path log = folder.resolve("kafka.log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classpath = libs.resolve("*").toString();
            LocalProcesses.run(null, log, 60, java, "-cp", classpath, "kafka.tools.StorageTool", "format", "-t",
                    UUID.randomUUID().toString().replace("-", "").substring(0, 22), "-c", config.toString());
            broker = new ProcessBuilder(java, "-Xms128m", "-Xmx384m", "-cp", classpath, "kafka.Kafka", config.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            String bootstrap = "127.0.0.1:" + port;
            createTopics(bootstrap, log);
            return Map.of("stacyvm.kafka.bootstrap", bootstrap, "kafka.bootstrap.servers", bootstrap);
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    /** Creates the asked topics, retrying while the broker is still starting (bounded by {@link #STARTUP}). */
    private void createTopics(String bootstrap, Path log) {
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        Instant deadline = Instant.now().plus(STARTUP);
        try (Admin client = Admin.create(admin)) {
            while (true) {
                if (!broker.isAlive()) {
                    throw new IllegalStateException("the Kafka broker exited: " + LocalProcesses.tail(log));
                }
                try {
                    client.describeCluster().nodes().get(10, TimeUnit.SECONDS);
                    break;
                } catch (Exception notYet) {
                    if (Instant.now().isAfter(deadline)) {
                        throw new IllegalStateException("the Kafka broker did not start in " + STARTUP + ": "
                                + LocalProcesses.tail(log), notYet);
                    }
                }
            }
            List<NewTopic> wanted = topics.stream().map(KafkaTestResource::newTopic).toList();
            if (!wanted.isEmpty()) {
                client.createTopics(wanted).all().get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw e instanceof IllegalStateException state ? state : new IllegalStateException("creating topics " + topics, e);
        }
    }

    private static NewTopic newTopic(String spec) {
        boolean compacted = spec.endsWith(":compact");
        NewTopic topic = new NewTopic(compacted ? spec.substring(0, spec.length() - ":compact".length()) : spec, 1, (short) 1);
        if (compacted) {
            Map<String, String> configs = new HashMap<>();
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            topic.configs(configs);
        }
        return topic;
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.destroy();
            try {
                if (!broker.waitFor(30, TimeUnit.SECONDS)) {
                    broker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                broker.destroyForcibly();
            }
            broker = null;
        }
        LocalProcesses.deleteTree(folder);
        folder = null;
    }

    /**
     * The broker's jars, as {@code ./stacyvm} fetches them: copied once with Maven from {@code
     * deploy/kafka/pom.xml} into the project root's {@code target/kafka-broker}.
     */
    static synchronized Path brokerJars() {
        Path root = projectRoot();
        Path libs = root.resolve("target").resolve("kafka-broker");
        if (Files.exists(libs.resolve(".complete"))) {
            return libs;
        }
        try {
            Files.createDirectories(libs);
            Path log = libs.resolve("copy.log");
            LocalProcesses.run(null, log, 600, "mvn", "-B", "-q", "-f", root.resolve("deploy/kafka/pom.xml").toString(),
                    "dependency:copy-dependencies", "-DoutputDirectory=" + libs);
            Files.createFile(libs.resolve(".complete"));
            return libs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The project's root: the first folder up from where the tests run that holds {@code deploy/kafka/pom.xml}. */
    static Path projectRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("deploy/kafka/pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no deploy/kafka/pom.xml above " + Path.of("").toAbsolutePath());
    }
}
