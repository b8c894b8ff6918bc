package dev.stacyvm.contract.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A request body read from an {@link InputStream} in chunks of up to {@code chunkSize} bytes, for
 * the JDK HTTP client ({@code BodyPublishers.fromPublisher}); shared by the Java client's uploads
 * and the gateway's relay of them to the worker. The JDK's own {@code BodyPublishers.ofInputStream}
 * reads 16 KiB at a time (its {@code jdk.httpclient.bufsize}, a JVM-wide setting): a 100 MB upload
 * became 6400 HTTP chunks, and each one costs the receiving service a hand-off between its event
 * loop and the thread reading the body, so the services spent more time relaying than the sandbox
 * spent unpacking.
 *
 * <p>Follows the Reactive Streams rules of {@link Flow}: one subscriber, a chunk only against
 * demand, reads made on the thread that asks for more (as the JDK's does), never re-entered when
 * the subscriber asks for more from inside {@code onNext}. A read that fails ends the body with
 * {@code onError}, which fails the exchange; the stream is never closed here (its owner closes it).
 */
public final class InputStreamPublisher implements Flow.Publisher<ByteBuffer> {

    private final InputStream body;
    private final int chunkSize;
    private final AtomicBoolean subscribed = new AtomicBoolean();

    /**
     * @param body      the bytes to send, read until its end
     * @param chunkSize the most bytes read into one chunk; positive
     */
    public InputStreamPublisher(InputStream body, int chunkSize) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunk size must be positive: " + chunkSize);
        }
        this.body = body;
        this.chunkSize = chunkSize;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        if (!subscribed.compareAndSet(false, true)) {
            // a stream is read once: a retried exchange cannot send it again
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            subscriber.onError(new IOException("the request body was already sent and cannot be sent again"));
            return;
        }
        subscriber.onSubscribe(new Reading(subscriber));
    }

    private final class Reading implements Flow.Subscription {

        private final Flow.Subscriber<? super ByteBuffer> subscriber;
        private final AtomicLong demand = new AtomicLong();
        /** Requests not yet drained: the thread that raises it from 0 drains for all of them. */
        private final AtomicInteger pending = new AtomicInteger();
        private volatile boolean ended;
        /** A request of zero or less, to be answered with onError by the draining thread. */
        private volatile Throwable refused;
        /** Only the draining thread reads into it. */
        private final byte[] scratch = new byte[chunkSize];

        Reading(Flow.Subscriber<? super ByteBuffer> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (ended) {
                return;
            }
            if (n <= 0) {
                // delivered by the drain, so never beside an onNext or after an onComplete (rule 1.3)
                refused = new IllegalArgumentException("non-positive request: " + n);
            } else {
                demand.getAndAccumulate(n, (current, more) -> current + more < 0 ? Long.MAX_VALUE : current + more);
            }
            drain();
        }

        @Override
        public void cancel() {
            ended = true;
        }

        private void drain() {
            if (pending.getAndIncrement() != 0) {
                return;
            }
            do {
                if (refused != null && !ended) {
                    ended = true;
                    subscriber.onError(refused);
                    return;
                }
                while (!ended && demand.get() > 0 && refused == null) {
                    int n;
                    try {
                        n = body.read(scratch);
                    } catch (IOException | RuntimeException failed) {
                        ended = true;
                        subscriber.onError(failed);
                        return;
                    }
                    if (n < 0) {
                        ended = true;
                        subscriber.onComplete();
                        return;
                    }
                    if (n > 0) {
                        demand.decrementAndGet();
                        // a copy of what was read: the client may hold a chunk after onNext returns
                        subscriber.onNext(ByteBuffer.wrap(Arrays.copyOf(scratch, n)));
                    }
                }
            } while (pending.decrementAndGet() != 0);
        }
    }
}
