package dev.stacyvm.preview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A chunked request body relayed up to the router's limit, and no byte past it. */
class LimitedBodyTest {

    /** A body that hands out the chunks it is given. */
    private static final class Body implements ReadStream<Buffer> {
        Handler<Buffer> handler;
        Handler<Void> end;

        void send(int bytes) {
            handler.handle(Buffer.buffer(new byte[bytes]));
        }

        @Override
        public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
            return this;
        }

        @Override
        public ReadStream<Buffer> handler(Handler<Buffer> handler) {
            this.handler = handler;
            return this;
        }

        @Override
        public ReadStream<Buffer> pause() {
            return this;
        }

        @Override
        public ReadStream<Buffer> resume() {
            return this;
        }

        @Override
        public ReadStream<Buffer> fetch(long amount) {
            return this;
        }

        @Override
        public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
            this.end = endHandler;
            return this;
        }
    }

    @Test
    void aBodyOfExactlyTheLimitPassesWholeAndEnds() {
        Body body = new Body();
        List<Integer> relayed = new ArrayList<>();
        List<String> ended = new ArrayList<>();
        LimitedBody limited = new LimitedBody(body, 100, () -> ended.add("past"));
        limited.handler(chunk -> relayed.add(chunk.length())).endHandler(end -> ended.add("end"));
        body.send(60);
        body.send(40);
        body.end.handle(null);
        assertEquals(List.of(60, 40), relayed);
        assertEquals(List.of("end"), ended);
        assertFalse(limited.past());
    }

    @Test
    void theChunkThatGoesPastTheLimitAndAllAfterItStayBehindAndTheBodyNeverEnds() {
        Body body = new Body();
        List<Integer> relayed = new ArrayList<>();
        List<String> events = new ArrayList<>();
        LimitedBody limited = new LimitedBody(body, 100, () -> events.add("past"));
        limited.handler(chunk -> relayed.add(chunk.length())).endHandler(end -> events.add("end"));
        body.send(100);
        body.send(1);
        body.send(50);
        body.end.handle(null);
        assertEquals(List.of(100), relayed, "nothing past the limit is relayed");
        assertEquals(List.of("past"), events, "the limit is reported once, and the app's request never ends");
        assertTrue(limited.past());
    }

    @Test
    void theCancelledRelayCannotTakeTheBodyBackFromTheRefusal() {
        Body body = new Body();
        LimitedBody limited = new LimitedBody(body, 10, () -> { });
        limited.handler(chunk -> { });
        body.send(11);
        Handler<Buffer> refusalsOwn = chunk -> { };
        body.handler(refusalsOwn);
        // the relay lets go of the body when it is cancelled: that must not undo the refusal's handler
        limited.handler(null);
        limited.endHandler(null);
        assertEquals(refusalsOwn, body.handler);
    }
}
