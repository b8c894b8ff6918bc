package dev.stacyvm.gateway.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.SandboxEvent;
import dev.stacyvm.contract.event.SandboxProgress;
import dev.stacyvm.contract.event.SandboxStateChanged;
import dev.stacyvm.contract.event.StacyvmEvent;
import dev.stacyvm.contract.event.Topics;
import dev.stacyvm.gateway.config.GatewayConfig;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code GET /api/v1/events}: sandbox lifecycle events as Server-Sent Events (WHATWG HTML,
 * "Server-sent events"), read from the sandbox events topic, so every gateway sends the same events
 * with the same ids. Each stream reads the topic with a consumer of its own, assigned every
 * partition and in no consumer group (it commits nothing; the client holds its position as the
 * {@link EventCursor} in each event's {@code id:}). A stream starts at the topic's end, or just after
 * the event named by {@code Last-Event-ID}, so a client that reconnects with it misses and repeats
 * nothing. A comment line every {@code heartbeat} keeps proxies from closing a quiet stream and finds
 * a client that went away; a stream ends after {@code max-duration} (a revoked key stops seeing
 * events within it) and the client reconnects with its last id, as EventSource does by itself.
 */
@ApplicationScoped
public class SandboxEventStreams {

    /** Every {@code kafka.*} setting: the bootstrap address and the gateway's SASL credentials. */
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @Inject
    GatewayConfig config;

    @Inject
    dev.stacyvm.gateway.auth.CredentialSessions sessions;

    @Inject
    ObjectMapper json;

    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    /** A refused stream's Retry-After: a stream a client dropped is noticed within a heartbeat. */
    private static final long RETRY_AFTER_SECONDS = 15;

    private final AtomicInteger open = new AtomicInteger();
    /** Set when the gateway stops: every stream ends within a poll, and its client resumes elsewhere. */
    private volatile boolean stopping;

    void stop(@jakarta.enterprise.event.Observes io.quarkus.runtime.ShutdownEvent shutdown) {
        stopping = true;
    }

    // at start-up, not at first use: the series is there before the first stream
    void gauge(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent start) {
        io.micrometer.core.instrument.Gauge.builder("stacyvm.event.streams", open, AtomicInteger::get)
                .description("GET /events streams this gateway serves now").register(registry);
    }
    private final Map<String, AtomicInteger> openPerKey = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    /** How many streams this gateway serves now. */
    public int open() {
        return open.get();
    }

    /**
     * Opens a stream for {@code filter}'s caller, from {@code resume} (null: the topic's end).
     *
     * @throws ApiException {@code resource_limit} when this gateway serves {@code max-streams} streams,
     *                      or the caller's key {@code max-streams-per-key}; {@code unavailable} when
     *                      Kafka does not answer
     */
    public StreamingOutput open(EventFilter filter, EventCursor resume, java.util.function.BooleanSupplier clientGone,
                                String apiKeyId, java.time.Instant validUntil) {
        String key = filter.caller().keyId();
        reserve(key);
        KafkaConsumer<String, String> consumer;
        List<TopicPartition> partitions;
        try {
            consumer = consumer();
            try {
                partitions = partitions(consumer);
                consumer.assign(partitions);
                start(consumer, partitions, resume);
            } catch (RuntimeException e) {
                consumer.close(Duration.ZERO);
                throw e;
            }
        } catch (RuntimeException e) {
            release(key);
            throw e;
        }
        EventCursor cursor = resume != null ? resume : new EventCursor();
        partitions.forEach(partition -> cursor.at(partition.partition(), consumer.position(partition)));
        return output -> {
            // a key revoked (a token expired) meanwhile ends the stream at the next poll
            try (consumer; dev.stacyvm.gateway.auth.CredentialSessions.Registration held = sessions.hold(apiKeyId, validUntil,
                    () -> { })) {
                relay(consumer, cursor, filter, output, () -> clientGone.getAsBoolean() || held.revoked());
            } finally {
                release(key);
            }
        };
    }

    /**
     * The sandbox events topic's end offset per partition, read with a consumer of its own, for
     * {@code GET /diagnostics}.
     *
     * @throws ApiException {@code unavailable} when Kafka does not answer within 5 s
     */
    public Map<Integer, Long> endOffsets() {
        try (KafkaConsumer<String, String> consumer = consumer()) {
            List<TopicPartition> partitions = partitions(consumer);
            Map<Integer, Long> ends = new java.util.TreeMap<>();
            consumer.endOffsets(partitions, Duration.ofSeconds(5)).forEach((partition, end) -> ends.put(partition.partition(), end));
            return ends;
        } catch (org.apache.kafka.common.KafkaException kafkaDown) {
            throw new ApiException(ErrorCode.UNAVAILABLE, "the event log (Kafka) does not answer: " + kafkaDown.getMessage());
        }
    }

    private void reserve(String key) {
        GatewayConfig.Events limits = config.events();
        if (open.incrementAndGet() > limits.maxStreams()) {
            open.decrementAndGet();
            throw new ApiException(ErrorCode.RESOURCE_LIMIT, "this gateway serves " + limits.maxStreams()
                    + " event streams already; retry later or close one", RETRY_AFTER_SECONDS);
        }
        AtomicInteger mine = openPerKey.computeIfAbsent(key, k -> new AtomicInteger());
        if (mine.incrementAndGet() > limits.maxStreamsPerKey()) {
            mine.decrementAndGet();
            open.decrementAndGet();
            throw new ApiException(ErrorCode.RESOURCE_LIMIT, "a key may hold " + limits.maxStreamsPerKey()
                    + " event streams at once on a gateway; close one first", RETRY_AFTER_SECONDS);
        }
    }

    private void release(String key) {
        open.decrementAndGet();
        AtomicInteger mine = openPerKey.get(key);
        if (mine != null) {
            mine.decrementAndGet();
        }
    }

    private KafkaConsumer<String, String> consumer() {
        Map<String, Object> settings = new HashMap<>();
        // only what a consumer understands (the map also holds producer settings)
        kafkaConfig.forEach((name, value) -> {
            if (ConsumerConfig.configNames().contains(name)) {
                settings.put(name, value);
            }
        });
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a cursor older than the topic's retention resumes at the oldest event still kept
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        settings.put(ConsumerConfig.CLIENT_ID_CONFIG, "gateway-events-" + sequence.incrementAndGet());
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        settings.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        return new KafkaConsumer<>(settings, new StringDeserializer(), new StringDeserializer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, String> consumer) {
        List<PartitionInfo> found;
        try {
            found = consumer.partitionsFor(Topics.SANDBOX_EVENTS, Duration.ofSeconds(5));
        } catch (RuntimeException kafkaDown) {
            throw new ApiException(ErrorCode.UNAVAILABLE, "the event log (Kafka) does not answer: " + kafkaDown.getMessage());
        }
        if (found == null || found.isEmpty()) {
            throw new ApiException(ErrorCode.UNAVAILABLE, "the event log (Kafka) has no topic " + Topics.SANDBOX_EVENTS);
        }
        return found.stream().map(info -> new TopicPartition(info.topic(), info.partition())).toList();
    }

    private static void start(KafkaConsumer<String, String> consumer, List<TopicPartition> partitions, EventCursor resume) {
        try {
            if (resume == null) {
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position); // fixes where "now" is before the stream answers
                return;
            }
            for (TopicPartition partition : partitions) {
                Long next = resume.next(partition.partition());
                // a partition the cursor does not name is newer than the cursor: all of it is after it
                consumer.seek(partition, next == null ? 0 : next);
            }
        } catch (RuntimeException kafkaDown) {
            throw new ApiException(ErrorCode.UNAVAILABLE, "the event log (Kafka) does not answer: " + kafkaDown.getMessage());
        }
    }

    private void relay(KafkaConsumer<String, String> consumer, EventCursor cursor, EventFilter filter, OutputStream output,
                       java.util.function.BooleanSupplier clientGone) throws IOException {
        GatewayConfig.Events settings = config.events();
        long started = System.nanoTime();
        long lastWrite = started;
        // EventSource waits this long before it reconnects (with Last-Event-ID) after the stream ends;
        // the id: alone is where the stream starts, so a client that loses it before any event resumes there
        write(output, "retry: " + settings.retry().toMillis() + "\n: stream of " + Topics.SANDBOX_EVENTS + "\nid: " + cursor
                + "\n\n");
        // a write to a client that went away may succeed into buffers: its connection's state says
        while (!stopping && !clientGone.getAsBoolean() && System.nanoTime() - started < settings.maxDuration().toNanos()) {
            boolean wrote = false;
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                cursor.passed(record.partition(), record.offset());
                StacyvmEvent parsed = parse(record);
                SandboxEvent event = parsed == null ? null : SandboxEvent.of(parsed);
                if (event != null && filter.sends(event, isBuild(parsed))) {
                    output.write(frame(cursor, event));
                    wrote = true;
                }
            }
            long now = System.nanoTime();
            if (wrote) {
                output.flush();
                lastWrite = now;
            } else if (now - lastWrite >= settings.heartbeat().toNanos()) {
                // a comment, and where the stream stands (an id: without data moves a client's
                // Last-Event-ID, EventSource's too, and dispatches nothing)
                write(output, ": heartbeat\nid: " + cursor + "\n\n");
                lastWrite = now;
            }
        }
    }

    private StacyvmEvent parse(ConsumerRecord<String, String> record) {
        if (record.value() == null) {
            return null;
        }
        try {
            return json.readValue(record.value(), StacyvmEvent.class);
        } catch (IOException | RuntimeException unreadable) {
            Log.debugf("event %s-%d@%d is not one of ours: %s", record.topic(), record.partition(), record.offset(),
                    unreadable.getMessage());
            return null;
        }
    }

    private static boolean isBuild(StacyvmEvent event) {
        return event instanceof SandboxStateChanged changed && changed.build()
                || event instanceof SandboxProgress progress && progress.build();
    }

    private byte[] frame(EventCursor cursor, SandboxEvent event) throws IOException {
        // JSON has no raw line breaks, so the whole event is one data: line
        return ("id: " + cursor + "\ndata: " + json.writeValueAsString(event) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void write(OutputStream output, String text) throws IOException {
        output.write(text.getBytes(StandardCharsets.UTF_8));
        output.flush();
    }
}
