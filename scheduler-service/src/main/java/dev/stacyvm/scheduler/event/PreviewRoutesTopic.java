package dev.stacyvm.scheduler.event;

import dev.stacyvm.contract.event.Topics;
import dev.stacyvm.scheduler.config.SchedulerConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Makes sure the preview routes topic exists and is compacted before the scheduler publishes to
 * it: compaction keeps the latest route of every sandbox (and drops destroyed ones), which is what
 * lets a restarted preview-router rebuild its table from the topic alone.
 */
@ApplicationScoped
public class PreviewRoutesTopic {

    /** Every {@code kafka.*} setting: the bootstrap address and the scheduler's SASL credentials. */
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @Inject
    SchedulerConfig scheduler;

    void ensure(@Observes @Priority(1) StartupEvent start) throws InterruptedException {
        Map<String, String> compacted = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "0",
                TopicConfig.SEGMENT_MS_CONFIG, String.valueOf(TimeUnit.HOURS.toMillis(1)));
        Map<String, Object> config = new HashMap<>();
        // only what an admin client understands (the map also holds consumer and producer settings)
        kafkaConfig.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                config.put(key, value);
            }
        });
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (Admin admin = Admin.create(config)) {
            try {
                admin.createTopics(List.of(new NewTopic(Topics.PREVIEW_ROUTES, scheduler.previewRoutes().partitions(),
                            scheduler.previewRoutes().replicationFactor())
                        .configs(compacted))).all().get(30, TimeUnit.SECONDS);
                Log.infof("created the compacted topic %s", Topics.PREVIEW_ROUTES);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create " + Topics.PREVIEW_ROUTES + ": " + e.getCause(), e);
                }
                // it exists (perhaps auto-created before): make sure it is compacted
                ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.PREVIEW_ROUTES);
                admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(
                        new ConfigEntry(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT),
                        AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("Kafka did not answer creating " + Topics.PREVIEW_ROUTES, e);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot make " + Topics.PREVIEW_ROUTES + " compacted: " + e.getCause(), e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer configuring " + Topics.PREVIEW_ROUTES, e);
        }
    }
}
