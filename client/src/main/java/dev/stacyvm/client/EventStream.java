package dev.stacyvm.client;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.SandboxEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The caller's sandbox events as they happen, from StacyVM's {@code GET /api/v1/events} (Server-Sent Events):
 * iterate it for each event with its cursor, and close it to hang up. {@link StacyVMClient#events} opens it.
 *
 * <pre>{@code
 * try (EventStream events = client.events(List.of(sandboxId), List.of(), null)) {
 *     while (events.hasNext()) {
 *         EventStream.Received received = events.next();
 *         System.out.println(received.event().type() + " " + received.event().data());
 *     }
 * }
 * }</pre>
 *
 * <p><b>Reconnection.</b> The gateway ends each stream after 10 minutes, and a connection can drop. The stream then
 * reconnects by itself with {@code Last-Event-ID}: its {@link #cursor()}, so the new connection goes on just after
 * the last event handed over, missing and repeating nothing. It waits the time the server asked for with
 * {@code retry:} (2 seconds until it says) before it reconnects; after a failed attempt it waits twice as long as
 * before, up to 30 seconds, or the answer's {@code Retry-After} when that is longer. An attempt fails when the
 * gateway cannot be reached or answers {@code unavailable}, {@code resource_limit} (a dropped stream holds its slot on
 * the gateway until its next write fails) or {@code bad_gateway}, or when the connection ends before it delivered an
 * event or lasted 15 seconds. After 8 failed attempts in a row, {@link #hasNext()} throws the last error. A connection
 * on which {@link #hasNext()} waits 45 seconds without anything arriving is taken as dropped (the gateway sends a
 * heartbeat comment every 15 seconds when it has no event); a caller that takes its time between events is not.
 *
 * <p><b>Threads.</b> Iterate it on one thread. {@link #close()} and {@link #cursor()} may be called from any thread:
 * {@code close()} wakes a {@link #hasNext()} blocked waiting for an event, which then answers false. A daemon virtual
 * thread per stream watches for silent connections until the stream is closed.
 *
 * <p><b>Parsing.</b> The stream is read as WHATWG HTML's "Server-sent events" says: {@code data:} lines (joined by
 * line feeds), {@code id:}, {@code retry:}; comment lines (such as {@code : heartbeat}) and unknown fields are
 * skipped; an event is complete at an empty line, and one cut off by the end of a connection is dropped (the
 * reconnection delivers it again). Only events of the default type ({@code message}, which is every event this
 * gateway sends) are handed over; others, which a later gateway could add, are skipped.
 */
public final class EventStream implements Iterator<EventStream.Received>, AutoCloseable {

    /**
     * One event as received.
     *
     * @param cursor where the stream stands just after this event (the Server-Sent Event's {@code id}, such as
     *               {@code 0:12,1:7,2:34}): send it back as {@code lastEventId} to {@link StacyVMClient#events} to
     *               resume after it, on any gateway. Null only when the server sent none.
     * @param event  the event: its own {@code id} (a UUID, the same on every stream), {@code type} (one of
     *               {@link SandboxEvent#TYPES}), {@code sandbox_id}, {@code owner_id}, {@code worker_id},
     *               {@code timestamp} and {@code data} ({@code from_state}, {@code to_state}, {@code image},
     *               {@code reason} for state changes; {@code phase}, {@code detail}, {@code bytes_done},
     *               {@code bytes_total} for {@code sandbox.progress})
     */
    public record Received(String cursor, SandboxEvent event) {
    }

    /**
     * How the stream reconnects; {@link #DEFAULT} is the one the class comment describes (tests make it quicker).
     *
     * @param maxFailures consecutive failed attempts before the stream gives up
     * @param firstRetry  the wait before a reconnection until the server sends {@code retry:}
     * @param maxBackoff  the longest wait between attempts (a longer {@code Retry-After} still wins)
     * @param steady      a connection that lasted this long worked, even without an event
     * @param idleTimeout a connection silent this long is taken as dropped
     */
    record Policy(int maxFailures, Duration firstRetry, Duration maxBackoff, Duration steady, Duration idleTimeout) {
        static final Policy DEFAULT = new Policy(8, Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(15),
                Duration.ofSeconds(45));
    }

    /** How long to wait for the answer's headers; the body may then flow for as long as the stream lasts. */
    private static final Duration OPEN_WAIT = Duration.ofSeconds(30);

    private final Http http;
    private final String path;
    private final Policy policy;
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile boolean closed;
    private volatile Connection connection;
    private volatile String cursor;
    private long retryMillis;
    private int failures;
    private Received next;

    /** One HTTP answer being read; the watchdog may hang it up from its own thread. */
    private static final class Connection {
        final InputStream body;
        final BufferedReader lines;
        final ServerSentEventParser parser;
        final long openedNanos = System.nanoTime();
        /** When the reader last got a line or began to wait for one. */
        volatile long lastReadNanos = openedNanos;
        /** Whether the reader waits for a line now: a caller slow to ask for the next event is no silent server. */
        volatile boolean waiting;
        boolean delivered;

        Connection(InputStream body, String resumedFrom) {
            this.body = body;
            this.lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            this.parser = new ServerSentEventParser(resumedFrom);
        }

        /** Closes the connection; a read blocked on it ends with an {@link IOException}. */
        void hangUp() {
            try {
                body.close();
            } catch (IOException alreadyBroken) {
                // closed all the same
            }
        }
    }

    /** Opens the first connection now, so that the request's own errors are thrown here. */
    EventStream(Http http, String path, String lastEventId, Policy policy) {
        this.http = http;
        this.path = path;
        this.policy = policy;
        this.cursor = lastEventId == null || lastEventId.isBlank() ? null : lastEventId;
        this.retryMillis = policy.firstRetry().toMillis();
        this.connection = open();
        Thread.ofVirtual().name("stacyvm-event-stream-watchdog").start(this::watchForSilence);
    }

    /**
     * Where the stream stands: the cursor of the last event {@link #next()} handed over (or of a later {@code id:}
     * the server sent without an event), else the {@code lastEventId} it was opened with. Pass it to
     * {@link StacyVMClient#events} as {@code lastEventId} to go on from here later. Safe from any thread.
     *
     * @return the cursor, such as {@code 0:12,1:7,2:34}; null before the first event of a stream opened without one
     */
    public String cursor() {
        return cursor;
    }

    /**
     * Whether another event comes: blocks until one arrives (reconnecting as the class comment says), and answers
     * false once the stream is closed.
     *
     * @return true when {@link #next()} has an event; false after {@link #close()}
     * @throws ApiException {@code unavailable} when the stream could not be resumed after 8 attempts in a row or the
     *     calling thread was interrupted (its interrupt flag is set again); any other error a reconnection was
     *     answered with, such as {@code unauthorized} once the key is revoked, or {@code bad_request} for a cursor the
     *     gateway refuses; the stream is closed then. {@code provider_error} when an event's data is not the JSON of
     *     a {@link SandboxEvent}: that event is skipped and the stream stays open.
     */
    @Override
    public boolean hasNext() {
        if (next == null && !closed) {
            next = advance();
        }
        return next != null;
    }

    /**
     * The next event, waiting for it as {@link #hasNext()} does.
     *
     * @return the event with its cursor, which becomes {@link #cursor()}
     * @throws NoSuchElementException when the stream is closed
     * @throws ApiException the codes of {@link #hasNext()}
     */
    @Override
    public Received next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the event stream is closed");
        }
        Received received = next;
        next = null;
        if (received.cursor() != null) {
            cursor = received.cursor();
        }
        return received;
    }

    /**
     * Hangs up the connection and stops reconnecting; {@link #hasNext()} answers false from now on, and one blocked in
     * another thread wakes up to answer it. Closing again does nothing.
     */
    @Override
    public void close() {
        closed = true;
        closing.countDown();
        Connection current = connection;
        if (current != null) {
            current.hangUp();
        }
    }

    private Received advance() {
        while (!closed) {
            Connection current = connection;
            if (current == null) {
                current = reconnect();
                if (current == null) {
                    return null;
                }
            }
            String line;
            current.lastReadNanos = System.nanoTime();
            current.waiting = true;
            try {
                line = current.lines.readLine();
            } catch (IOException broken) {
                if (closed) {
                    return null;
                }
                if (Thread.currentThread().isInterrupted()) {
                    close();
                    throw interrupted();
                }
                ended(current, broken);
                continue;
            } finally {
                current.waiting = false;
            }
            if (line == null) {
                if (closed) {
                    return null;
                }
                ended(current, null);
                continue;
            }
            ServerSentEventParser.Message message = current.parser.line(line);
            if (current.parser.retryMillis() != null) {
                retryMillis = current.parser.retryMillis();
            }
            if (message == null || !"message".equals(message.type())) {
                if (current.parser.lastEventId() != null) {
                    cursor = current.parser.lastEventId();
                }
                continue;
            }
            current.delivered = true;
            try {
                return new Received(message.lastEventId(), Http.JSON.readValue(message.data(), SandboxEvent.class));
            } catch (IOException notAnEvent) {
                if (message.lastEventId() != null) {
                    cursor = message.lastEventId();
                }
                throw new ApiException(ErrorCode.PROVIDER_ERROR, "an event of GET " + path + " was not the JSON expected");
            }
        }
        return null;
    }

    private Connection open() {
        HttpRequest.Builder request = http.request(path, OPEN_WAIT).header("Accept", SandboxEvent.MEDIA_TYPE)
                .header("Cache-Control", "no-cache").GET();
        String resumeFrom = cursor;
        if (resumeFrom != null) {
            request.header("Last-Event-ID", resumeFrom);
        }
        HttpResponse<InputStream> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        String type = answer.headers().firstValue("Content-Type").orElse("");
        if (!type.toLowerCase(Locale.ROOT).startsWith(SandboxEvent.MEDIA_TYPE)) {
            try {
                answer.body().close();
            } catch (IOException ignored) {
                // we are done with it either way
            }
            throw new ApiException(ErrorCode.PROVIDER_ERROR, "the answer to GET " + path + " was " + (type.isEmpty()
                    ? "without a Content-Type" : type) + ", not " + SandboxEvent.MEDIA_TYPE);
        }
        return new Connection(answer.body(), resumeFrom);
    }

    /** A new connection after the last one ended; null when the stream was closed meanwhile. */
    private Connection reconnect() {
        while (!closed) {
            try {
                Connection opened = open();
                connection = opened;
                if (closed) {
                    opened.hangUp();
                    return null;
                }
                return opened;
            } catch (ApiException refused) {
                if (closed) {
                    return null;
                }
                failures++;
                if (Thread.currentThread().isInterrupted() || !worthRetrying(refused.code())
                        || failures >= policy.maxFailures()) {
                    close();
                    throw refused;
                }
                pause(backoff(refused.retryAfterSeconds()));
            }
        }
        return null;
    }

    /** A connection ended (or broke): counts a failure unless it worked, and waits before the next attempt. */
    private void ended(Connection current, IOException cause) {
        current.hangUp();
        connection = null;
        if (current.delivered || System.nanoTime() - current.openedNanos >= policy.steady().toNanos()) {
            failures = 0;
            pause(retryMillis);
            return;
        }
        failures++;
        if (failures >= policy.maxFailures()) {
            close();
            throw new ApiException(ErrorCode.UNAVAILABLE, "the event stream " + path + " "
                    + (cause == null ? "kept ending at once" : "kept breaking: " + cause) + " (" + failures
                    + " attempts in a row)");
        }
        pause(backoff(null));
    }

    private static boolean worthRetrying(ErrorCode code) {
        return code == ErrorCode.UNAVAILABLE || code == ErrorCode.RESOURCE_LIMIT || code == ErrorCode.BAD_GATEWAY;
    }

    private long backoff(Long retryAfterSeconds) {
        long doubled = retryMillis << Math.min(failures - 1, 16);
        long wait = Math.min(doubled < 0 ? Long.MAX_VALUE : doubled, policy.maxBackoff().toMillis());
        return retryAfterSeconds == null ? wait : Math.max(wait, TimeUnit.SECONDS.toMillis(retryAfterSeconds));
    }

    /** Waits, or less when the stream is closed meanwhile. */
    private void pause(long millis) {
        try {
            closing.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw interrupted();
        }
    }

    private ApiException interrupted() {
        return new ApiException(ErrorCode.UNAVAILABLE, "interrupted while following GET " + path);
    }

    /** Hangs up a connection on which nothing arrived for the idle timeout, so that the reader reconnects. */
    private void watchForSilence() {
        long idle = policy.idleTimeout().toNanos();
        long every = Math.max(10, policy.idleTimeout().toMillis() / 5);
        try {
            while (!closing.await(every, TimeUnit.MILLISECONDS)) {
                Connection current = connection;
                if (current != null && current.waiting && System.nanoTime() - current.lastReadNanos > idle) {
                    current.hangUp();
                }
            }
        } catch (InterruptedException e) {
            // nobody interrupts it but the JVM going away
        }
    }
}
