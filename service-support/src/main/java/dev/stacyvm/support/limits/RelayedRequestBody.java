package dev.stacyvm.support.limits;

import dev.stacyvm.contract.api.ApiError;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The body of a {@link RelaysBody} route as a Vert.x stream, to be piped on the event loop to
 * where it goes (a worker) with no thread in between: what a blocking {@code InputStream} costs on
 * a large upload is a hand-off per chunk and a copy per hop. It is bounded as every streamed body
 * is ({@link RequestBodyLimitFilter}): past {@code stacyvm.limits.max-stream-body-bytes} the request
 * is answered {@code 413 payload_too_large}, and when the client sends nothing for
 * {@code body-idle-timeout} while the stream waits for it (not while the destination holds it up),
 * {@code 408 request_timeout}; either way the client is told to stop and the stream fails.
 *
 * <p>The body ends once, by its end, a failure (the client went away, also before the relay
 * began), a refusal, or {@link #abandon()}; a failure that came before an exception handler was set
 * is handed to it when it is set, so a relay started late still fails at once. A client that sent
 * {@code Expect: 100-continue} is told to go on when the relay starts reading (RFC 9110, section
 * 10.1.1), as the framework does for the bodies it reads.
 */
public final class RelayedRequestBody implements ReadStream<Buffer>, WatchedBody {

    static final String KEY = "stacyvm.relayed-request-body";

    private final RoutingContext routing;
    private final HttpServerRequest request;
    private final long limit;
    private final BodyRefusal refusal;
    private final Runnable done;
    private volatile Handler<Buffer> data;
    private Handler<Throwable> failure;
    private Handler<Void> end;
    /** What broke the body off, kept for an exception handler set afterwards. */
    private Throwable cause;
    private boolean causeDelivered;
    private boolean endDelivered;
    private long received;
    /** System.nanoTime() since when the stream has waited for the client; 0 while paused or ended. */
    private volatile long waitingSince;
    /** Set once: by the end, a failure, a refusal or {@link #abandon()}, on whichever thread came first. */
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile boolean arrived;
    private volatile boolean broken;
    private boolean continued;

    RelayedRequestBody(RoutingContext routing, long limit, BodyRefusal refusal, Runnable done) {
        this.routing = routing;
        this.request = routing.request();
        this.limit = limit;
        this.refusal = refusal;
        this.done = done;
    }

    /** Starts listening to the request; a client already gone breaks the body off here. */
    void open() {
        request.exceptionHandler(this::failed);
        request.endHandler(ignored -> ended());
        // a client gone before this was made is told by nothing else
        routing.addEndHandler(answered -> {
            if (answered.failed()) {
                failed(answered.cause());
            }
        });
        if (request.response().closed()) {
            failed(new IOException("the client closed the connection before its body was relayed"));
        }
    }

    /**
     * The relayed body of the current request.
     *
     * @throws IllegalStateException when the route is not marked {@link RelaysBody}
     */
    public static RelayedRequestBody of(RoutingContext routing) {
        RelayedRequestBody body = routing.get(KEY);
        if (body == null) {
            throw new IllegalStateException("no relayed body: the route is not @RelaysBody");
        }
        return body;
    }

    /** The length the client declared ({@code Content-Length}), or -1 when it sends the body chunked. */
    public long declaredLength() {
        String length = request.getHeader("Content-Length");
        return length != null && length.matches("\\d{1,18}") ? Long.parseLong(length) : -1;
    }

    /** Whether the whole body has arrived. */
    public boolean arrived() {
        return arrived;
    }

    /**
     * Whether the body broke off on the client's side: the client went away, sent a malformed body,
     * or broke a limit ({@link #refusal()} says which limit).
     */
    public boolean broken() {
        return broken;
    }

    /** The refusal this body was answered with (413, 408), or null while it was not refused. */
    public ApiError refusal() {
        return refusal.error();
    }

    /**
     * Stops reading a body whose relay ended early (its destination answered, or failed, before the
     * end): the client is told to stop sending once it has its answer (see {@link EarlyAnswers}).
     */
    public void abandon() {
        if (finish()) {
            request.pause();
            EarlyAnswers.stopReading(routing);
        }
    }

    @Override
    public synchronized RelayedRequestBody exceptionHandler(Handler<Throwable> handler) {
        failure = handler;
        deliverFailure();
        return this;
    }

    @Override
    public RelayedRequestBody handler(Handler<Buffer> handler) {
        data = handler;
        if (handler == null) {
            request.handler(null);
            return this;
        }
        if (!continued) {
            continued = true;
            if ("100-continue".equalsIgnoreCase(request.getHeader("Expect")) && !request.response().headWritten()) {
                request.response().writeContinue();
            }
        }
        request.handler(this::received);
        return this;
    }

    @Override
    public RelayedRequestBody pause() {
        waitingSince = 0;
        request.pause();
        return this;
    }

    @Override
    public RelayedRequestBody resume() {
        return fetch(Long.MAX_VALUE);
    }

    @Override
    public RelayedRequestBody fetch(long amount) {
        if (!finished.get()) {
            waitingSince = Math.max(1, System.nanoTime());
        }
        request.fetch(amount);
        return this;
    }

    @Override
    public synchronized RelayedRequestBody endHandler(Handler<Void> handler) {
        end = handler;
        deliverEnd();
        return this;
    }

    @Override
    public long waitingNanos(long now) {
        long since = waitingSince;
        return since == 0 ? 0 : now - since;
    }

    @Override
    public void timeOut(long idleMillis) {
        breakOff(new IOException("the request body sent nothing for " + idleMillis + " ms"), () -> refusal.idle(idleMillis));
    }

    private void received(Buffer buffer) {
        if (finished.get()) {
            return;
        }
        received += buffer.length();
        if (received > limit) {
            breakOff(new IOException("the request body is larger than " + limit + " bytes"), () -> refusal.payloadTooLarge(limit));
            return;
        }
        if (waitingSince != 0) {
            waitingSince = Math.max(1, System.nanoTime());
        }
        Handler<Buffer> to = data;
        if (to != null) {
            to.handle(buffer);
        }
    }

    private void ended() {
        if (!finish()) {
            return;
        }
        arrived = true;
        synchronized (this) {
            deliverEnd();
        }
    }

    private void failed(Throwable why) {
        breakOff(why == null ? new IOException("the request failed") : why, null);
    }

    /** Ends the body as broken: answers the client first when {@code answer} is given (a refusal). */
    private void breakOff(Throwable why, Runnable answer) {
        if (!finish()) {
            return;
        }
        broken = true;
        if (answer != null) {
            answer.run();
        }
        synchronized (this) {
            cause = why;
            deliverFailure();
        }
    }

    private void deliverFailure() {
        if (cause != null && failure != null && !causeDelivered) {
            causeDelivered = true;
            failure.handle(cause);
        }
    }

    private void deliverEnd() {
        if (arrived && end != null && !endDelivered) {
            endDelivered = true;
            end.handle(null);
        }
    }

    /** Whether this call finished the body (false when something already had). */
    private boolean finish() {
        if (!finished.compareAndSet(false, true)) {
            return false;
        }
        waitingSince = 0;
        done.run();
        return true;
    }
}
