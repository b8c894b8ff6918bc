package dev.stacyvm.support.limits;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

/**
 * A request body that counts its bytes as they are read and stops at its limit, and that tells
 * the {@link BodyWatchdog} how long a read has waited for the client. Past the limit, or when the
 * watchdog finds a read idle too long, the request is answered by its {@link BodyRefusal} and every
 * further read fails, so the code reading the body lets go of its thread.
 */
final class BoundedRequestBody extends InputStream implements WatchedBody {

    /** The framework's stream, made at the first read: making it starts reading the request. */
    private final Supplier<InputStream> opener;
    private InputStream body;
    private volatile long limit;
    private final BodyRefusal refusal;
    private final Runnable done;
    private long read;
    /** System.nanoTime() when the current read began waiting; 0 while no read waits. */
    private volatile long waitingSince;
    private volatile boolean finished;

    BoundedRequestBody(Supplier<InputStream> opener, long limit, BodyRefusal refusal, Runnable done) {
        this.opener = opener;
        this.limit = limit;
        this.refusal = refusal;
        this.done = done;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        refusal.throwIfRefused();
        if (finished) {
            return -1;
        }
        int n = readFromClient(buffer, offset, length);
        if (n < 0) {
            finish();
            return -1;
        }
        read += n;
        if (read > limit) {
            refusal.payloadTooLarge(limit);
            finish();
            refusal.throwIfRefused();
        }
        return n;
    }

    /**
     * Reads the rest of the body into memory, up to the limit, for a route that reads its body
     * whole anyway: answers {@code null}, having answered nothing, when the body is longer.
     */
    byte[] readWhole() throws IOException {
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        byte[] buffer = new byte[16384];
        while (true) {
            refusal.throwIfRefused();
            int n = readFromClient(buffer, 0, buffer.length);
            if (n < 0) {
                finish();
                return whole.toByteArray();
            }
            read += n;
            if (read > limit) {
                finish();
                return null;
            }
            whole.write(buffer, 0, n);
        }
    }

    private int readFromClient(byte[] buffer, int offset, int length) throws IOException {
        waitingSince = Math.max(1, System.nanoTime());
        try {
            return opened().read(buffer, offset, length);
        } catch (IOException e) {
            // a refusal closes the connection, which fails the read: report the refusal; a read
            // that gave up waiting for the client (quarkus.http.read-timeout) is an idle body too
            refusal.throwIfRefused();
            long waitedMillis = (System.nanoTime() - waitingSince) / 1_000_000;
            if (waitedMillis >= 1000) {
                refusal.idle(waitedMillis);
            }
            throw e;
        } finally {
            waitingSince = 0;
        }
    }

    /** Who answers the request when this body breaks a limit. */
    BodyRefusal refusal() {
        return refusal;
    }

    /**
     * Lowers the limit once the route is known (bodies read whole get a smaller one than streams);
     * a body already past it is refused at the next read.
     */
    void limitTo(long lower) {
        limit = Math.min(limit, lower);
        if (read > limit) {
            refusal.payloadTooLarge(limit);
        }
    }

    @Override
    public int available() throws IOException {
        return finished || refusal.refused() || body == null ? 0 : body.available();
    }

    @Override
    public void close() throws IOException {
        finish();
        if (body != null) {
            body.close();
        }
    }

    private InputStream opened() {
        if (body == null) {
            body = opener.get();
        }
        return body;
    }

    /** Nanoseconds the current read has waited for the client; 0 when none waits. */
    @Override
    public long waitingNanos(long now) {
        long since = waitingSince;
        return since == 0 ? 0 : now - since;
    }

    @Override
    public void timeOut(long idleMillis) {
        refusal.idle(idleMillis);
        finish();
    }

    private void finish() {
        if (!finished) {
            finished = true;
            done.run();
        }
    }
}
