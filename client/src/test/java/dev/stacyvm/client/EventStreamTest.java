package dev.stacyvm.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link EventStream} against a stand-in gateway on loopback: it resumes with {@code Last-Event-ID} when a stream
 * ends, drops or goes silent, gives up after its attempts, throws errors that retrying cannot mend at once, and hangs
 * up its connection when closed.
 */
class EventStreamTest {

    /** Quick to retry and to notice silence; the same rules as the default. */
    private static final EventStream.Policy QUICK = new EventStream.Policy(3, Duration.ofMillis(10),
            Duration.ofMillis(50), Duration.ofSeconds(15), Duration.ofSeconds(30));

    /** What the stand-in does with the n-th request (0-based). */
    private interface Answer {
        void answer(int request, HttpExchange exchange) throws IOException;
    }

    private HttpServer gateway;
    private ExecutorService handlers;
    private final List<String> lastEventIds = Collections.synchronizedList(new ArrayList<>());
    private final List<String> queries = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch hungUp = new CountDownLatch(1);
    private volatile Answer answer;

    @BeforeEach
    void aStandInGateway() throws IOException {
        gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        handlers = Executors.newCachedThreadPool();
        gateway.setExecutor(handlers);
        gateway.createContext("/api/v1/events", exchange -> {
            int request;
            synchronized (lastEventIds) {
                request = lastEventIds.size();
                lastEventIds.add(exchange.getRequestHeaders().getFirst("Last-Event-ID"));
                queries.add(exchange.getRequestURI().getRawQuery());
            }
            try {
                answer.answer(request, exchange);
            } finally {
                exchange.close();
            }
        });
        gateway.start();
    }

    @AfterEach
    void stop() {
        gateway.stop(0);
        handlers.shutdownNow();
    }

    private Http http() {
        return new Http(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                "http://127.0.0.1:" + gateway.getAddress().getPort(), Map.of("X-API-Key", "svm_test"), Duration.ofSeconds(5));
    }

    private static String event(String cursor, String sandbox, String type) {
        return "id: " + cursor + "\ndata: {\"id\":\"e-" + cursor + "\",\"type\":\"" + type + "\",\"sandbox_id\":\"" + sandbox
                + "\",\"timestamp\":\"2026-12-02T09:00:01.512Z\",\"data\":{\"to_state\":\"running\"}}\n\n";
    }

    private static OutputStream open(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        return exchange.getResponseBody();
    }

    private static void send(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Heartbeats until the client hangs up (counted down) or 20 s pass. */
    private void heartbeatUntilHungUp(OutputStream out) {
        try {
            for (int i = 0; i < 400; i++) {
                send(out, ": heartbeat\n\n");
                Thread.sleep(50);
            }
        } catch (IOException clientWentAway) {
            hungUp.countDown();
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        }
    }

    private static void refuse(HttpExchange exchange, int status, String code) throws IOException {
        byte[] body = ("{\"code\":\"" + code + "\",\"message\":\"no\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Test
    void aStreamTheServerEndsIsResumedJustAfterTheLastEventAndCloseHangsUp() throws Exception {
        answer = (request, exchange) -> {
            OutputStream out = open(exchange);
            if (request == 0) {
                send(out, "retry: 10\n: stream of stacyvm.sandbox-events\n\n" + event("0:1", "sb-a", "sandbox.created")
                        + ": heartbeat\n\n" + event("0:2,1:4", "sb-a", "sandbox.running")
                        + "id: 0:3,1:4\ndata: {\"cut\": \"off by the end of the stream\"");
            } else {
                send(out, "retry: 10\n\n" + event("0:3,1:4", "sb-a", "sandbox.destroyed"));
                heartbeatUntilHungUp(out);
            }
        };
        StacyVMClient client = StacyVMClient.connect("http://127.0.0.1:" + gateway.getAddress().getPort(), "svm_test");
        List<EventStream.Received> received = new ArrayList<>();
        try (EventStream events = client.events(List.of("sb-a", "sb-b"), List.of("sandbox.created", "sandbox.running",
                "sandbox.destroyed"), null)) {
            assertNull(events.cursor(), "a stream opened without a cursor has none before its first event");
            while (received.size() < 3 && events.hasNext()) {
                received.add(events.next());
            }
            assertEquals("0:3,1:4", events.cursor());
        }
        assertEquals(List.of("0:1", "0:2,1:4", "0:3,1:4"), received.stream().map(EventStream.Received::cursor).toList());
        assertEquals(List.of("sandbox.created", "sandbox.running", "sandbox.destroyed"),
                received.stream().map(r -> r.event().type()).toList());
        assertEquals("sb-a", received.get(0).event().sandboxId());
        assertEquals("running", received.get(1).event().data().get("to_state"));
        assertEquals(Arrays.asList(null, "0:2,1:4"), lastEventIds, "the reconnection resumed after the last whole event");
        assertEquals("sandbox_id=sb-a%2Csb-b&type=sandbox.created%2Csandbox.running%2Csandbox.destroyed", queries.get(1),
                "the filters go along on every connection");
        assertTrue(hungUp.await(10, TimeUnit.SECONDS), "close() hung up the connection");
    }

    @Test
    void closeFromAnotherThreadWakesAReaderWaitingForAnEvent() throws Exception {
        answer = (request, exchange) -> heartbeatUntilHungUp(open(exchange));
        EventStream events = new EventStream(http(), "/events", "0:9", QUICK);
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(events::hasNext);
        Thread.sleep(200);
        assertFalse(waiting.isDone(), "nothing came yet");
        events.close();
        assertFalse(waiting.get(10, TimeUnit.SECONDS), "hasNext() answered false once closed");
        assertTrue(hungUp.await(10, TimeUnit.SECONDS), "the connection was hung up");
        assertEquals(List.of("0:9"), lastEventIds, "the stream was opened from the cursor given");
        assertEquals("0:9", events.cursor());
        events.close();
    }

    @Test
    void errorsThatRetryingCannotMendAreThrownAtOnce() throws Exception {
        answer = (request, exchange) -> refuse(exchange, 400, "bad_request");
        ApiException refused = assertThrows(ApiException.class, () -> new EventStream(http(), "/events", null, QUICK));
        assertEquals(ErrorCode.BAD_REQUEST, refused.code());
        assertEquals(1, lastEventIds.size(), "the request was not repeated");

        lastEventIds.clear();
        answer = (request, exchange) -> {
            if (request == 0) {
                send(open(exchange), "retry: 10\n\n" + event("0:1", "sb-a", "sandbox.running"));
            } else {
                refuse(exchange, 401, "unauthorized");
            }
        };
        try (EventStream events = new EventStream(http(), "/events", null, QUICK)) {
            assertEquals("0:1", events.next().cursor());
            assertEquals(ErrorCode.UNAUTHORIZED, assertThrows(ApiException.class, events::hasNext).code());
            assertFalse(events.hasNext(), "the stream is closed after it gave up");
        }
        assertEquals(Arrays.asList(null, "0:1"), lastEventIds);
    }

    @Test
    void anUnreachableOrRefusingGatewayIsRetriedAFewTimesThenGivenUp() throws Exception {
        answer = (request, exchange) -> {
            if (request == 0) {
                send(open(exchange), "retry: 1\n\n" + event("0:1", "sb-a", "sandbox.running"));
            } else if (request == 1) {
                exchange.getResponseHeaders().set("Retry-After", "0");
                refuse(exchange, 429, "resource_limit");
            } else {
                refuse(exchange, 503, "unavailable");
            }
        };
        try (EventStream events = new EventStream(http(), "/events", null, QUICK)) {
            events.next();
            long started = System.nanoTime();
            ApiException gaveUp = assertThrows(ApiException.class, events::hasNext);
            assertEquals(ErrorCode.UNAVAILABLE, gaveUp.code());
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "the waits were the backoff's");
        }
        assertEquals(1 + QUICK.maxFailures(), lastEventIds.size(), "the first stream, then the attempts allowed");
    }

    @Test
    void aStreamThatKeepsEndingAtOnceIsGivenUp() {
        answer = (request, exchange) -> send(open(exchange), "retry: 1\n: stream\n\n");
        EventStream events = new EventStream(http(), "/events", "0:1", QUICK);
        ApiException gaveUp = assertThrows(ApiException.class, events::hasNext);
        assertEquals(ErrorCode.UNAVAILABLE, gaveUp.code());
        assertTrue(gaveUp.getMessage().contains("kept ending at once"), gaveUp.getMessage());
        assertEquals(QUICK.maxFailures(), lastEventIds.size());
        assertTrue(lastEventIds.stream().allMatch("0:1"::equals), lastEventIds.toString());
    }

    @Test
    void aSilentConnectionIsTakenAsDroppedAndResumed() throws Exception {
        EventStream.Policy impatient = new EventStream.Policy(3, Duration.ofMillis(10), Duration.ofMillis(50),
                Duration.ofSeconds(15), Duration.ofMillis(300));
        CountDownLatch silentOneHungUp = new CountDownLatch(1);
        answer = (request, exchange) -> {
            OutputStream out = open(exchange);
            if (request == 0) {
                send(out, "retry: 10\n\n" + event("0:1", "sb-a", "sandbox.created"));
                try {
                    Thread.sleep(2000); // says nothing, not even a heartbeat
                    send(out, ": too late\n\n");
                    send(out, ": too late\n\n");
                } catch (IOException hungUpOn) {
                    silentOneHungUp.countDown();
                } catch (InterruptedException stopping) {
                    Thread.currentThread().interrupt();
                }
            } else {
                send(out, event("0:2", "sb-a", "sandbox.running"));
                heartbeatUntilHungUp(out);
            }
        };
        try (EventStream events = new EventStream(http(), "/events", null, impatient)) {
            assertEquals("0:1", events.next().cursor());
            long started = System.nanoTime();
            assertEquals("0:2", events.next().cursor());
            assertTrue(System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(1500),
                    "resumed when the connection had been silent for its idle timeout, before the server spoke again");
        }
        assertEquals(Arrays.asList(null, "0:1"), lastEventIds);
        assertTrue(silentOneHungUp.await(10, TimeUnit.SECONDS), "the silent connection was hung up");
    }

    @Test
    void aCallerSlowToAskForTheNextEventIsNoSilentConnection() throws Exception {
        EventStream.Policy impatient = new EventStream.Policy(3, Duration.ofMillis(10), Duration.ofMillis(50),
                Duration.ofSeconds(15), Duration.ofMillis(300));
        answer = (request, exchange) -> {
            OutputStream out = open(exchange);
            send(out, "retry: 10\n\n" + event("0:1", "sb-a", "sandbox.created") + event("0:2", "sb-a", "sandbox.running"));
            heartbeatUntilHungUp(out);
        };
        try (EventStream events = new EventStream(http(), "/events", null, impatient)) {
            assertEquals("0:1", events.next().cursor());
            Thread.sleep(1000); // busy with the first event, far past the idle timeout
            assertEquals("0:2", events.next().cursor());
        }
        assertEquals(1, lastEventIds.size(), "the connection was kept: " + lastEventIds);
    }

    @Test
    void namedEventsAreSkippedAndDataThatIsNotAnEventIsAnErrorThatDoesNotEndTheStream() {
        answer = (request, exchange) -> {
            OutputStream out = open(exchange);
            send(out, "event: ping\nid: 0:1\ndata: {}\n\nid: 0:2\ndata: not json\n\n" + event("0:3", "sb-a", "sandbox.running"));
            heartbeatUntilHungUp(out);
        };
        try (EventStream events = new EventStream(http(), "/events", null, QUICK)) {
            ApiException notAnEvent = assertThrows(ApiException.class, events::hasNext);
            assertEquals(ErrorCode.PROVIDER_ERROR, notAnEvent.code());
            assertEquals("0:2", events.cursor(), "the unreadable event is passed");
            EventStream.Received received = events.next();
            assertEquals("0:3", received.cursor());
            assertEquals("sandbox.running", received.event().type());
        }
    }

    @Test
    void anAnswerThatIsNotAnEventStreamIsRefused() {
        answer = (request, exchange) -> {
            exchange.getResponseHeaders().set("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write("<html>a login page</html>".getBytes(StandardCharsets.UTF_8));
        };
        assertEquals(ErrorCode.PROVIDER_ERROR,
                assertThrows(ApiException.class, () -> new EventStream(http(), "/events", null, QUICK)).code());
    }
}
