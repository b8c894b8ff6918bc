package dev.stacyvm.preview;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A request body passed on as it arrives, up to a number of bytes: the chunk that goes past the
 * limit, and everything after it, is not passed on, and {@code pastLimit} runs once instead (the
 * router then cancels the relayed request and answers {@code 413}). For bodies whose length is
 * not declared up front (chunked); a declared length past the limit is refused before relaying.
 */
final class LimitedBody implements ReadStream<Buffer> {

    private final ReadStream<Buffer> body;
    private final long limit;
    private final Runnable pastLimit;
    private long relayed;
    private boolean past;

    /**
     * @param body the request body as the server reads it
     * @param limit the most bytes passed on
     * @param pastLimit what to do, once, when the body goes past the limit
     */
    LimitedBody(ReadStream<Buffer> body, long limit, Runnable pastLimit) {
        this.body = body;
        this.limit = limit;
        this.pastLimit = pastLimit;
    }

    /** Whether the body went past the limit. */
    boolean past() {
        return past;
    }

    @Override
    public LimitedBody handler(Handler<Buffer> handler) {
        if (past) {
            return this; // the body is the refusal's now: the cancelled relay lets go of nothing
        }
        if (handler == null) {
            body.handler(null);
            return this;
        }
        body.handler(chunk -> {
            if (past) {
                return;
            }
            relayed += chunk.length();
            if (relayed > limit) {
                past = true;
                pastLimit.run();
                return;
            }
            handler.handle(chunk);
        });
        return this;
    }

    @Override
    public LimitedBody exceptionHandler(Handler<Throwable> handler) {
        body.exceptionHandler(handler);
        return this;
    }

    @Override
    public LimitedBody pause() {
        body.pause();
        return this;
    }

    @Override
    public LimitedBody resume() {
        body.resume();
        return this;
    }

    @Override
    public LimitedBody fetch(long amount) {
        body.fetch(amount);
        return this;
    }

    @Override
    public LimitedBody endHandler(Handler<Void> endHandler) {
        if (past) {
            return this;
        }
        // a body cut at the limit never ends for the app: its request is cancelled instead
        body.endHandler(endHandler == null ? null : ended -> {
            if (!past) {
                endHandler.handle(ended);
            }
        });
        return this;
    }
}
