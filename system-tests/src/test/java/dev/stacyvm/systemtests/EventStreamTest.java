package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.anonymous;
import static dev.stacyvm.systemtests.Suite.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/v1/events}: a client follows its sandboxes' lifecycle as Server-Sent Events,
 * resumes with {@code Last-Event-ID} after a disconnect without missing or repeating an event, and
 * sees nothing of another owner's sandboxes.
 */
class EventStreamTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration WAIT = Duration.ofSeconds(90);

    private final Suite.Keys keys = new Suite.Keys();
    private final List<Runnable> cleanUps = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        cleanUps.forEach(Runnable::run);
        keys.close();
    }

    /** One event as a stream sent it: its SSE id (the cursor) and its data. */
    record Received(String cursor, JsonNode event) {
        String type() {
            return event.path("type").asText();
        }

        String sandboxId() {
            return event.path("sandbox_id").asText();
        }
    }

    /** A stream read on a thread of its own into a queue, until it is closed. */
    static final class Stream implements AutoCloseable {
        final BlockingQueue<Received> events = new LinkedBlockingQueue<>();
        final List<Received> seen = new ArrayList<>();
        private final InputStream body;
        private final Thread reader;

        Stream(String key, String query, String lastEventId) throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(Suite.URL + "/api/v1/events" + query))
                    .header("X-API-Key", key).header("Accept", "text/event-stream");
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            HttpResponse<InputStream> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, answer.statusCode(), "the stream opens");
            assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"),
                    "Server-Sent Events: " + answer.headers().map());
            body = answer.body();
            reader = Thread.ofPlatform().daemon().start(this::read);
        }

        private void read() {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String id = null;
                StringBuilder data = new StringBuilder();
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.isEmpty()) {
                        if (!data.isEmpty()) {
                            events.add(new Received(id, JSON.readTree(data.toString())));
                        }
                        id = null;
                        data.setLength(0);
                    } else if (line.startsWith("id: ")) {
                        id = line.substring(4);
                    } else if (line.startsWith("data: ")) {
                        data.append(line.substring(6));
                    }
                }
            } catch (IOException closed) {
                // the test closed the stream
            }
        }

        /** Waits (bounded) for an event matching {@code wanted}; every event on the way is kept in {@link #seen}. */
        Received await(Predicate<Received> wanted, String what) throws InterruptedException {
            // it may have come already, while an earlier wait looked for something else
            for (Received earlier : seen) {
                if (wanted.test(earlier)) {
                    return earlier;
                }
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                Received next = events.poll(500, TimeUnit.MILLISECONDS);
                if (next != null) {
                    seen.add(next);
                    if (wanted.test(next)) {
                        return next;
                    }
                }
            }
            throw new AssertionError("no " + what + " within " + WAIT.toSeconds() + " s; seen: " + seen);
        }

        /** Everything that arrives within {@code quiet}, after what was awaited. */
        List<Received> drain(Duration quiet) throws InterruptedException {
            long deadline = System.nanoTime() + quiet.toNanos();
            while (System.nanoTime() < deadline) {
                Received next = events.poll(200, TimeUnit.MILLISECONDS);
                if (next != null) {
                    seen.add(next);
                }
            }
            return seen;
        }

        @Override
        public void close() throws IOException, InterruptedException {
            body.close();
            reader.join(Duration.ofSeconds(10));
        }
    }

    private String sandbox(String key) {
        String id = as(key).body(Map.of("ttl", "10m")).post("/sandboxes").then().statusCode(201).extract().path("id");
        cleanUps.add(() -> as(key).delete("/sandboxes/{id}", id));
        return id;
    }

    private static Predicate<Received> is(String sandboxId, String type) {
        return received -> received.sandboxId().equals(sandboxId) && received.type().equals(type);
    }

    @Test
    void aClientThatReconnectsWithLastEventIdMissesAndRepeatsNothing() throws Exception {
        String key = keys.issue("events-" + UUID.randomUUID().toString().substring(0, 8), "user");
        String first;
        String second;
        Received lastBeforeDisconnect;
        Set<String> before = new HashSet<>();
        try (Stream stream = new Stream(key, "", null)) {
            first = sandbox(key);
            Received created = stream.await(is(first, "sandbox.created"), "sandbox.created of " + first);
            assertEquals("creating", created.event().path("data").path("to_state").asText());
            assertNotNull(created.cursor(), "every event has an id: to resume from");
            lastBeforeDisconnect = stream.await(is(first, "sandbox.running"), "sandbox.running of " + first);
            assertEquals("creating", lastBeforeDisconnect.event().path("data").path("from_state").asText());
            assertEquals(first, lastBeforeDisconnect.sandboxId());
            assertTrue(lastBeforeDisconnect.event().path("owner_id").asText().endsWith(":test-user"),
                    "the owner is the key's own: " + lastBeforeDisconnect.event());
            stream.seen.forEach(received -> before.add(received.event().path("id").asText()));
        }

        // while the client is away, one sandbox is created and the other destroyed
        second = sandbox(key);
        as(key).delete("/sandboxes/{id}", first).then().statusCode(200);

        try (Stream resumed = new Stream(key, "", lastBeforeDisconnect.cursor())) {
            resumed.await(is(first, "sandbox.destroyed"), "sandbox.destroyed of " + first);
            resumed.await(is(second, "sandbox.running"), "sandbox.running of " + second);
            List<Received> all = resumed.drain(Duration.ofSeconds(1));
            Set<String> ids = new HashSet<>();
            for (Received received : all) {
                String id = received.event().path("id").asText();
                assertFalse(before.contains(id), "an event sent before the disconnect is not sent again: " + received);
                assertTrue(ids.add(id), "no event twice: " + received);
            }
            List<String> ofFirst = all.stream().filter(r -> r.sandboxId().equals(first)).map(Received::type).toList();
            List<String> ofSecond = all.stream().filter(r -> r.sandboxId().equals(second)).map(Received::type).toList();
            assertEquals(List.of("sandbox.destroying", "sandbox.destroyed"), ofFirst, "what happened to the first while away");
            assertEquals(List.of("sandbox.created", "sandbox.running"), ofSecond, "the second, created while away, whole");
        }
    }

    @Test
    void aStreamCarriesOnlyWhatItsKeyMaySeeAndWhatItsFiltersAsk() throws Exception {
        String tenant = "events-" + UUID.randomUUID().toString().substring(0, 8);
        String mine = keys.issue(tenant, "user");
        String theirs = keys.issue("other-" + tenant, "user");
        try (Stream everything = new Stream(Suite.API_KEY, "", null);
                Stream own = new Stream(mine, "", null);
                Stream destroysOnly = new Stream(mine, "?type=sandbox.destroyed", null)) {
            String foreign = sandbox(theirs);
            String own1 = sandbox(mine);
            // the administrator's stream proves the foreign sandbox's events were published
            everything.await(is(foreign, "sandbox.running"), "the administrator sees every sandbox");
            everything.await(is(own1, "sandbox.running"), "the administrator sees every sandbox");
            own.await(is(own1, "sandbox.running"), "the owner's own sandbox");
            as(mine).delete("/sandboxes/{id}", own1).then().statusCode(200);
            Received destroyed = destroysOnly.await(is(own1, "sandbox.destroyed"), "the filtered type");
            assertEquals(destroyed, destroysOnly.seen.get(0), "a type filter sends nothing else first: " + destroysOnly.seen);
            for (Received received : own.drain(Duration.ofSeconds(2))) {
                assertEquals(own1, received.sandboxId(), "another owner's sandbox is not in the stream: " + received);
            }
            for (Received received : destroysOnly.drain(Duration.ofMillis(500))) {
                assertEquals("sandbox.destroyed", received.type(), "only the type asked for: " + received);
            }
        }
    }

    @Test
    void aKeyHoldsAtMostEightStreamsAndOneItsClientClosedIsFreedAtOnce() throws Exception {
        String key = keys.issue("events-" + UUID.randomUUID().toString().substring(0, 8), "user");
        List<Stream> open = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                open.add(new Stream(key, "", null));
            }
            as(key).get("/events").then().statusCode(429).body("code", equalTo("resource_limit"))
                    .header("Retry-After", org.hamcrest.Matchers.notNullValue());
        } finally {
            for (Stream stream : open) {
                stream.close();
            }
        }
        // the gateway notices the closed connections within a poll, long before a heartbeat
        int status = 0;
        for (int attempt = 0; attempt < 20 && status != 200; attempt++) {
            Thread.sleep(500);
            HttpResponse<InputStream> answer = HTTP.send(HttpRequest.newBuilder(URI.create(Suite.URL + "/api/v1/events"))
                    .header("X-API-Key", key).build(), HttpResponse.BodyHandlers.ofInputStream());
            status = answer.statusCode();
            answer.body().close();
        }
        assertEquals(200, status, "a new stream opens once the client closed its others");
    }

    @Test
    void badStreamRequestsAreRefusedWithTypedErrors() {
        anonymous().get("/events").then().statusCode(401).body("code", equalTo("unauthorized"));
        as(Suite.API_KEY).header("Last-Event-ID", "yesterday").get("/events")
                .then().statusCode(400).body("code", equalTo("bad_request")).body("message", containsString("Last-Event-ID"));
        as(Suite.API_KEY).get("/events?last_event_id=" + URLEncoder.encode("0:1,0:2", StandardCharsets.UTF_8))
                .then().statusCode(400).body("code", equalTo("bad_request"));
        as(Suite.API_KEY).get("/events?type=sandbox.exploded")
                .then().statusCode(400).body("code", equalTo("bad_request")).body("message", containsString("sandbox.running"));
    }
}
