package dev.stacyvm.contract.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

class InputStreamPublisherTest {

    /** Records what it is sent; asks for {@code perNext} more from inside each onNext when positive. */
    private static final class Recorder implements Flow.Subscriber<ByteBuffer> {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Integer> chunks = new ArrayList<>();
        final long perNext;
        Flow.Subscription subscription;
        Throwable error;
        boolean completed;
        int depth;
        int deepest;

        Recorder(long perNext) {
            this.perNext = perNext;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
        }

        @Override
        public void onNext(ByteBuffer item) {
            depth++;
            deepest = Math.max(deepest, depth);
            chunks.add(item.remaining());
            byte[] copy = new byte[item.remaining()];
            item.get(copy);
            bytes.writeBytes(copy);
            if (perNext > 0) {
                subscription.request(perNext);
            }
            depth--;
        }

        @Override
        public void onError(Throwable throwable) {
            error = throwable;
        }

        @Override
        public void onComplete() {
            completed = true;
        }
    }

    @Test
    void sendsEveryByteInOrderInChunksNoLargerThanTheChunkSize() {
        byte[] body = new byte[1_000_003];
        new Random(7).nextBytes(body);
        Recorder recorder = new Recorder(0);
        new InputStreamPublisher(new ByteArrayInputStream(body), 65536).subscribe(recorder);
        recorder.subscription.request(Long.MAX_VALUE);

        assertArrayEquals(body, recorder.bytes.toByteArray());
        assertTrue(recorder.completed);
        assertNull(recorder.error);
        assertTrue(recorder.chunks.stream().allMatch(size -> size > 0 && size <= 65536), recorder.chunks.toString());
        assertEquals(16, recorder.chunks.size(), "1 MB in 64 KiB reads");
    }

    @Test
    void readsNothingBeyondWhatWasAskedFor() {
        byte[] body = new byte[10 * 1024];
        Recorder recorder = new Recorder(0);
        InputStream source = new ByteArrayInputStream(body);
        new InputStreamPublisher(source, 1024).subscribe(recorder);
        assertEquals(0, recorder.chunks.size(), "nothing before a request");

        recorder.subscription.request(3);
        assertEquals(3, recorder.chunks.size());
        assertEquals(7 * 1024, body.length - recorder.bytes.size());
        assertEquals(false, recorder.completed);

        recorder.subscription.cancel();
        recorder.subscription.request(5);
        assertEquals(3, recorder.chunks.size(), "nothing after cancel");
    }

    @Test
    void aSubscriberAskingForMoreInsideOnNextDoesNotGrowTheStack() {
        byte[] body = new byte[200_000];
        Recorder recorder = new Recorder(1);
        new InputStreamPublisher(new ByteArrayInputStream(body), 1).subscribe(recorder);
        recorder.subscription.request(1);

        assertTrue(recorder.completed);
        assertEquals(200_000, recorder.bytes.size());
        assertEquals(1, recorder.deepest, "each chunk delivered from the first request's loop, not a nested one");
    }

    @Test
    void aFailedReadEndsTheBodyWithThatError() {
        IOException cut = new IOException("client went away");
        InputStream failing = new InputStream() {
            int reads;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (reads++ == 2) {
                    throw cut;
                }
                buffer[offset] = 1;
                return 1;
            }
        };
        Recorder recorder = new Recorder(0);
        new InputStreamPublisher(failing, 16).subscribe(recorder);
        recorder.subscription.request(10);

        assertEquals(2, recorder.bytes.size());
        assertEquals(cut, recorder.error);
        assertEquals(false, recorder.completed);
    }

    @Test
    void aSecondSubscriberIsRefusedBecauseTheStreamIsReadOnce() {
        InputStreamPublisher publisher = new InputStreamPublisher(new ByteArrayInputStream(new byte[10]), 4);
        Recorder first = new Recorder(0);
        publisher.subscribe(first);
        Recorder second = new Recorder(0);
        publisher.subscribe(second);

        assertInstanceOf(IOException.class, second.error);
        first.subscription.request(Long.MAX_VALUE);
        assertEquals(10, first.bytes.size());
        assertTrue(first.completed);
    }

    @Test
    void aNonPositiveRequestIsAnError() {
        Recorder recorder = new Recorder(0);
        new InputStreamPublisher(new ByteArrayInputStream(new byte[10]), 4).subscribe(recorder);
        recorder.subscription.request(0);
        assertInstanceOf(IllegalArgumentException.class, recorder.error);
        assertEquals(0, recorder.bytes.size());
    }
}
