package dev.stacyvm.preview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.stacyvm.contract.event.PreviewRoute;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    private final RouteTable table = table();

    private static RouteTable table() {
        RouteTable table = new RouteTable();
        table.json = new ObjectMapper().registerModule(new JavaTimeModule());
        return table;
    }

    private static PreviewRoute route(String id) {
        return new PreviewRoute(id, "owner", "running", "127.0.0.1", Map.of(3000, 32768), false, Instant.now(), 1);
    }

    private static PreviewRoute creating(String id) {
        return new PreviewRoute(id, "owner", "creating", null, Map.of(), false, Instant.now(), 1);
    }

    private void read(String key, String value) {
        table.apply(new ConsumerRecord<>("stacyvm.preview-routes", 0, 0, key, value));
    }

    @Test
    void aRequestForASandboxWhoseRouteIsOnItsWayGetsTheRouteWhenItArrives() throws Exception {
        CompletableFuture<PreviewRoute> waiter = table.awaitRoute("sb-aaaaaaaaaaaa").orElseThrow();
        assertFalse(waiter.isDone(), "nothing has arrived yet");
        read("sb-aaaaaaaaaaaa", table.json.writeValueAsString(route("sb-aaaaaaaaaaaa")));
        assertTrue(waiter.isDone());
        assertEquals("sb-aaaaaaaaaaaa", waiter.get().sandboxId());
    }

    @Test
    void aRouteAlreadyKnownIsAnsweredAtOnce() {
        table.put(route("sb-bbbbbbbbbbbb"));
        CompletableFuture<PreviewRoute> waiter = table.awaitRoute("sb-bbbbbbbbbbbb").orElseThrow();
        assertTrue(waiter.isDone());
    }

    @Test
    void aWaiterThatGaveUpGetsNothingAndALaterRouteStillLands() throws Exception {
        CompletableFuture<PreviewRoute> waiter = table.awaitRoute("sb-cccccccccccc").orElseThrow();
        table.giveUp("sb-cccccccccccc", waiter);
        assertNull(waiter.get(), "the caller answers 404 after stacyvm.preview.route-wait");
        PreviewRoute route = route("sb-cccccccccccc");
        table.put(route);
        assertSame(route, table.find("sb-cccccccccccc").orElseThrow());
    }

    @Test
    void aDestroyedSandboxIsRefusedWithoutWaiting() throws Exception {
        read("sb-dddddddddddd", table.json.writeValueAsString(route("sb-dddddddddddd")));
        read("sb-dddddddddddd", null);
        assertEquals(Optional.empty(), table.find("sb-dddddddddddd"));
        assertEquals(Optional.empty(), table.awaitRoute("sb-dddddddddddd"), "its tombstone was read");
    }

    @Test
    void waitingRequestsAreBounded() {
        List<CompletableFuture<PreviewRoute>> held = new ArrayList<>();
        for (int i = 0; i < RouteTable.MAX_WAITING; i++) {
            held.add(table.awaitRoute("sb-%012d".formatted(i)).orElseThrow());
        }
        assertEquals(Optional.empty(), table.awaitRoute("sb-eeeeeeeeeeee"), "one past the bound is answered at once");
        table.giveUp("sb-%012d".formatted(0), held.get(0));
        assertTrue(table.awaitRoute("sb-eeeeeeeeeeee").isPresent(), "a freed place can be taken again");
    }

    @Test
    void aCreatingRouteKeepsTheRequestWaitingUntilTheRunningOneWithItsPortsArrives() throws Exception {
        table.put(creating("sb-ffffffffffff"));
        CompletableFuture<PreviewRoute> waiter = table.awaitRoute("sb-ffffffffffff").orElseThrow();
        assertFalse(waiter.isDone(), "a creating sandbox has no published port yet");
        table.put(creating("sb-ffffffffffff"));
        assertFalse(waiter.isDone());
        table.put(route("sb-ffffffffffff"));
        assertEquals(32768, waiter.get().ports().get(3000));
    }
}
