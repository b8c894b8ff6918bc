package dev.stacyvm.worker.provider.agent;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * What a small agent call prints (a process list, a counter), kept up to {@code limit} bytes; the
 * rest is counted and dropped. A sandbox's user can make such a call's output anything (by tracing
 * the agent's process), so the worker never holds more than the limit of it, and says whether
 * the output overflowed so the caller can refuse it rather than parse half of it.
 */
public final class CappedOutput extends OutputStream {

    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final int limit;
    private boolean overflowed;

    /** @param limit the most bytes kept */
    public CappedOutput(int limit) {
        this.limit = limit;
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
        int room = limit - kept.size();
        if (length > room) {
            overflowed = true;
        }
        kept.write(bytes, offset, Math.max(0, Math.min(room, length)));
    }

    /** Whether more came than the limit. */
    public synchronized boolean overflowed() {
        return overflowed;
    }

    /** What was kept, as UTF-8. */
    public synchronized String text() {
        return kept.toString(StandardCharsets.UTF_8);
    }
}
