package dev.stacyvm.preview;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.event.PreviewRoute;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Where each sandbox's previews go, read from the compacted {@code stacyvm.preview-routes} topic
 * from its beginning at every start: a restarted router rebuilds its table without asking
 * anyone, and a tombstone (a destroyed sandbox) removes the route at once.
 */
@ApplicationScoped
public class RouteTable {

    private final ConcurrentMap<String, PreviewRoute> routes = new ConcurrentHashMap<>();

    @Inject
    ObjectMapper json;

    @Incoming("preview-routes")
    public void apply(ConsumerRecord<String, String> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            routes.remove(record.key());
            return;
        }
        try {
            PreviewRoute route = json.readValue(record.value(), PreviewRoute.class);
            if (record.key().equals(route.sandboxId())) {
                routes.put(route.sandboxId(), route);
            }
        } catch (IOException unreadable) {
            Log.warnf("ignoring an unreadable preview route for %s: %s", record.key(), unreadable.getMessage());
        }
    }

    public Optional<PreviewRoute> find(String sandboxId) {
        return Optional.ofNullable(routes.get(sandboxId));
    }

    public int size() {
        return routes.size();
    }
}
