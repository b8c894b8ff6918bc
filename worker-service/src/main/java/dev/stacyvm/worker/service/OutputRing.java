package dev.stacyvm.worker.service;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A process's output as it was written, bounded: chunks with their stream and the byte offset
 * each starts at (counted from the process's first byte, so a reader resumes where it stopped),
 * the oldest dropped once more than the capacity is held (each chunk's bytes and
 * {@link #CHUNK_OVERHEAD}; empty chunks are not kept). Readers wait for more with
 * {@link #awaitAfter}. Thread-safe.
 */
public final class OutputRing {

    /** One chunk as written. */
    public record Chunk(String stream, byte[] data, long offset) {
        long end() {
            return offset + data.length;
        }
    }

    /** The chunks from an offset on, and whether some after it were already dropped. */
    record Slice(List<Chunk> chunks, long next, boolean dropped) {
    }

    private final int capacity;
    private final Deque<Chunk> chunks = new ArrayDeque<>();
    private long held;
    private long written;
    private boolean closed;

    OutputRing(int capacity) {
        this.capacity = capacity;
    }

    /**
     * What a chunk costs besides its bytes (its record and array headers), counted against the
     * capacity so that a process writing many tiny chunks is bounded as one writing few large ones.
     */
    static final int CHUNK_OVERHEAD = 64;

    synchronized void append(String stream, byte[] data) {
        if (data.length == 0) {
            return; // nothing to read, and nothing a reader could resume at
        }
        chunks.addLast(new Chunk(stream, data, written));
        written += data.length;
        held += data.length + CHUNK_OVERHEAD;
        while (held > capacity && chunks.size() > 1) {
            held -= chunks.removeFirst().data().length + CHUNK_OVERHEAD;
        }
        notifyAll();
    }

    /** No more output will come (the process ended). */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    synchronized long written() {
        return written;
    }

    /**
     * What is held from {@code since} on (a chunk that straddles it is cut at it); an offset past
     * the end counts as the end, so a reader that asks from it next misses nothing.
     */
    synchronized Slice since(long since) {
        List<Chunk> found = new ArrayList<>();
        long from = Math.min(Math.max(0, since), written);
        boolean dropped = !chunks.isEmpty() && chunks.getFirst().offset() > from;
        for (Chunk chunk : chunks) {
            if (chunk.end() <= from) {
                continue;
            }
            if (chunk.offset() < from) {
                int skip = (int) (from - chunk.offset());
                found.add(new Chunk(chunk.stream(), java.util.Arrays.copyOfRange(chunk.data(), skip, chunk.data().length), from));
            } else {
                found.add(chunk);
            }
        }
        return new Slice(found, written, dropped);
    }

    /**
     * Waits (at most {@code millis}) until output after {@code offset} exists or the ring is
     * closed; answers whether it is closed with nothing after {@code offset}.
     */
    synchronized boolean awaitAfter(long offset, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (written <= offset && !closed) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return closed && written <= offset;
    }
}
