package dev.stacyvm.worker.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OutputRingTest {

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(OutputRing.Slice slice) {
        StringBuilder joined = new StringBuilder();
        slice.chunks().forEach(chunk -> joined.append(new String(chunk.data(), StandardCharsets.UTF_8)));
        return joined.toString();
    }

    @Test
    void aReaderResumesExactlyWhereItStoppedEvenInsideAChunk() {
        OutputRing ring = new OutputRing(1024);
        ring.append("stdout", bytes("hello "));
        ring.append("stderr", bytes("world"));
        OutputRing.Slice all = ring.since(0);
        assertEquals("hello world", text(all));
        assertEquals(11, all.next());
        OutputRing.Slice rest = ring.since(3);
        assertEquals("lo world", text(rest));
        assertEquals(3, rest.chunks().get(0).offset());
        assertEquals("stderr", rest.chunks().get(1).stream());
        assertEquals("", text(ring.since(11)));
        assertEquals(11, ring.since(50).next(), "an offset past the end answers the end");
    }

    @Test
    void theOldestOutputIsDroppedBeyondTheCapacityAndTheReaderIsToldSo() {
        OutputRing ring = new OutputRing(2 * (5 + OutputRing.CHUNK_OVERHEAD));
        ring.append("stdout", bytes("aaaaa"));
        ring.append("stdout", bytes("bbbbb"));
        ring.append("stdout", bytes("ccccc"));
        OutputRing.Slice slice = ring.since(0);
        assertTrue(slice.dropped());
        assertEquals("bbbbbccccc", text(slice));
        assertEquals(5, slice.chunks().get(0).offset(), "offsets stay those of the whole output");
        assertFalse(ring.since(5).dropped());
    }

    @Test
    void manyTinyChunksAreBoundedAsFewLargeOnesAndEmptyOnesAreNotKept() {
        OutputRing ring = new OutputRing(1024);
        ring.append("stdout", new byte[0]);
        assertEquals(0, ring.since(0).chunks().size(), "an empty chunk is not kept");
        for (int i = 0; i < 10_000; i++) {
            ring.append("stdout", bytes("x"));
        }
        int kept = ring.since(0).chunks().size();
        assertTrue(kept <= 1024 / (1 + OutputRing.CHUNK_OVERHEAD) + 1, "each chunk costs its overhead too: " + kept);
        assertEquals(10_000, ring.written());
    }

    @Test
    void aWaitingReaderWakesOnOutputAndOnTheEnd() throws Exception {
        OutputRing ring = new OutputRing(100);
        assertFalse(ring.awaitAfter(0, 10), "nothing yet: the wait just times out");
        Thread.ofVirtual().start(() -> ring.append("stdout", bytes("x")));
        assertFalse(ring.awaitAfter(0, 5000), "output came: not the end");
        assertEquals(1, ring.written());
        ring.close();
        assertTrue(ring.awaitAfter(1, 5000), "closed with nothing more: the end");
    }
}
