package dev.stacyvm.preview;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.event.PreviewRoute;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Where each sandbox's previews go, read from the compacted {@code stacyvm.preview-routes} topic
 * from its beginning at every start: a restarted router rebuilds its table without asking
 * anyone, and a tombstone (a destroyed sandbox) removes the route at once.
 *
 * <p>A route reaches the table shortly after the sandbox answered its create (through the
 * scheduler's outbox and Kafka): first while it is {@code creating}, without published ports,
 * then {@code running} with them. A browser sent to a new sandbox's preview at once may ask before
 * the running route arrived: {@link #awaitRoute} lets the router hold such a request briefly
 * instead of answering that the sandbox or its port does not exist. Sandboxes whose tombstone this router read are
 * remembered (the latest {@value #REMEMBERED_REMOVALS}), so asking for them is not held.
 */
@ApplicationScoped
public class RouteTable {

    /** How many destroyed sandboxes the table remembers, to refuse them without holding the request. */
    static final int REMEMBERED_REMOVALS = 10_000;
    /** How many requests may wait for a route at once; more are answered at once. */
    static final int MAX_WAITING = 1_024;

    private final ConcurrentMap<String, PreviewRoute> routes = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, List<CompletableFuture<PreviewRoute>>> waiting = new ConcurrentHashMap<>();
    private final AtomicInteger waiters = new AtomicInteger();
    private final Set<String> removed = Collections.synchronizedSet(Collections.newSetFromMap(
            new LinkedHashMap<>(1024, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED_REMOVALS;
                }
            }));

    @Inject
    ObjectMapper json;

    @Incoming("preview-routes")
    public void apply(ConsumerRecord<String, String> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            routes.remove(record.key());
            removed.add(record.key());
            return;
        }
        try {
            PreviewRoute route = json.readValue(record.value(), PreviewRoute.class);
            if (record.key().equals(route.sandboxId())) {
                put(route);
            }
        } catch (IOException unreadable) {
            Log.warnf("ignoring an unreadable preview route for %s: %s", record.key(), unreadable.getMessage());
        }
    }

    /** Records a sandbox's route and, once it is past {@code creating}, hands it to the requests waiting for it. */
    void put(PreviewRoute route) {
        routes.put(route.sandboxId(), route);
        removed.remove(route.sandboxId());
        if (creating(route)) {
            return;
        }
        List<CompletableFuture<PreviewRoute>> waiters = waiting.remove(route.sandboxId());
        if (waiters != null) {
            waiters.forEach(waiter -> waiter.complete(route));
        }
    }

    public Optional<PreviewRoute> find(String sandboxId) {
        return Optional.ofNullable(routes.get(sandboxId));
    }

    /**
     * The route of a sandbox past {@code creating}, as it arrives: the future completes with the
     * route, or with {@code null} when the caller gives up ({@link #giveUp}; the table may then
     * hold a {@code creating} route). Answers {@code Optional.empty()} when waiting makes no sense:
     * the sandbox's tombstone was read, or {@value #MAX_WAITING} requests are waiting already.
     */
    Optional<CompletableFuture<PreviewRoute>> awaitRoute(String sandboxId) {
        PreviewRoute known = routes.get(sandboxId);
        if (known != null && !creating(known)) {
            return Optional.of(CompletableFuture.completedFuture(known));
        }
        if (removed.contains(sandboxId)) {
            return Optional.empty();
        }
        if (waiters.incrementAndGet() > MAX_WAITING) {
            waiters.decrementAndGet();
            return Optional.empty();
        }
        CompletableFuture<PreviewRoute> waiter = new CompletableFuture<>();
        waiter.whenComplete((route, failure) -> waiters.decrementAndGet());
        waiting.computeIfAbsent(sandboxId, id -> new CopyOnWriteArrayList<>()).add(waiter);
        // the route may have arrived between the first look and the registration
        PreviewRoute arrived = routes.get(sandboxId);
        if (arrived != null && !creating(arrived)) {
            waiter.complete(arrived);
            waiting.computeIfPresent(sandboxId, (id, list) -> {
                list.remove(waiter);
                return list.isEmpty() ? null : list;
            });
        }
        return Optional.of(waiter);
    }

    /** Stops waiting for a route: the waiter completes with {@code null} unless the route came first. */
    void giveUp(String sandboxId, CompletableFuture<PreviewRoute> waiter) {
        waiter.complete(null);
        waiting.computeIfPresent(sandboxId, (id, list) -> {
            list.remove(waiter);
            return list.isEmpty() ? null : list;
        });
    }

    /** Whether the route is of a sandbox still being created: its ports are not published yet. */
    static boolean creating(PreviewRoute route) {
        return "creating".equals(route.state());
    }

    public int size() {
        return routes.size();
    }
}
