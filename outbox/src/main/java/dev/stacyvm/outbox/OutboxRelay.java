package dev.stacyvm.outbox;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Publishes outbox messages to Kafka in the order they were written, at least once: a batch is
 * locked ({@code FOR UPDATE SKIP LOCKED}, so several instances never publish the same rows), sent,
 * and marked published only after the broker acknowledged every record. A failed send leaves the
 * batch for the next round; the mark is committed without waiting for the disk (a database crash
 * that loses it only sends those messages again). It runs right after every commit that appended a message, and on a
 * timer for anything a crash left behind. Each record is sent in the trace its message was written
 * in (the Kafka connector's producer span and {@code traceparent} header), not the relay thread's.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int BATCH_SIZE = 200;
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);

    @Inject
    @Channel("outbox")
    Emitter<String> emitter;

    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final ExecutorService relayThread = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "outbox-relay");
        thread.setDaemon(true);
        return thread;
    });

    void onAppended(@Observes(during = TransactionPhase.AFTER_SUCCESS) OutboxWriter.OutboxAppended appended) {
        wake();
    }

    // not before the application runs: the Kafka channel is connected during start-up
    @Scheduled(every = "${stacyvm.outbox.poll-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void poll() {
        wake();
    }

    /** Published messages are kept an hour for inspection, then deleted so the table stays small. */
    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void deletePublished() {
        QuarkusTransaction.requiringNew().run(() -> OutboxMessage.delete(
                "publishedAt < ?1", Instant.now().minus(Duration.ofHours(1))));
    }

    /** Starts a relay round on the relay thread unless one is running; a running one goes round again. */
    public void wake() {
        again.set(true);
        if (running.compareAndSet(false, true)) {
            relayThread.execute(this::drain);
        }
    }

    private void drain() {
        try {
            while (again.getAndSet(false)) {
                while (publishBatch() == BATCH_SIZE) {
                    // a full batch means there may be more waiting
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("outbox relay round failed, will retry: %s", e.toString());
        } finally {
            running.set(false);
            if (again.get() && running.compareAndSet(false, true)) {
                relayThread.execute(this::drain);
            }
        }
    }

    int publishBatch() {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<OutboxMessage> batch = OutboxMessage.getEntityManager()
                    .createNativeQuery("SELECT * FROM outbox_message WHERE published_at IS NULL ORDER BY id "
                            + "LIMIT " + BATCH_SIZE + " FOR UPDATE SKIP LOCKED", OutboxMessage.class)
                    .getResultList();
            if (batch.isEmpty()) {
                return 0;
            }
            List<CompletableFuture<Void>> acks = new ArrayList<>(batch.size());
            for (OutboxMessage message : batch) {
                CompletableFuture<Void> ack = new CompletableFuture<>();
                acks.add(ack);
                emitter.send(OutboxTraceContext.restore(Message.of(message.payload), message.traceparent)
                        .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                                .withTopic(message.topic)
                                .withKey(message.messageKey)
                                .build())
                        .withAck(() -> {
                            ack.complete(null);
                            return CompletableFuture.completedFuture(null);
                        })
                        .withNack(failure -> {
                            ack.completeExceptionally(failure);
                            return CompletableFuture.completedFuture(null);
                        }));
            }
            try {
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                        .get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("Kafka did not acknowledge the batch: " + e, e);
            }
            // one statement for the batch, and no wait for the disk at commit: a mark a database
            // crash loses only sends its messages again, which at-least-once already allows
            // (consumers de-duplicate by event id)
            OutboxMessage.getEntityManager().createNativeQuery("SET LOCAL synchronous_commit TO OFF").executeUpdate();
            OutboxMessage.getEntityManager()
                    .createNativeQuery("UPDATE outbox_message SET published_at = ?1 WHERE id IN (?2)")
                    .setParameter(1, Instant.now())
                    .setParameter(2, batch.stream().map(message -> message.id).toList())
                    .executeUpdate();
            return batch.size();
        });
    }
}
