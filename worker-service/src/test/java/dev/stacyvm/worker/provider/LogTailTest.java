package dev.stacyvm.worker.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.LogLines;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogTailTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shortLogsAreKeptWholeAndNotMarked() throws Exception {
        LogTail tail = new LogTail(4096);
        tail.accept("one\ntw".getBytes(StandardCharsets.UTF_8));
        tail.accept("o\nthree".getBytes(StandardCharsets.UTF_8));
        LogTail.Result result = tail.finish();
        assertEquals(List.of("one", "two", "three"), result.lines());
        assertFalse(result.truncated());
    }

    @Test
    void longLogsKeepTheNewestLinesWithinTheBytesAndSaySo() throws Exception {
        int max = 65536;
        LogTail tail = new LogTail(max);
        for (int i = 0; i < 40; i++) {
            tail.accept(("line" + i + " " + "x".repeat(20000) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        LogTail.Result result = tail.finish();
        assertTrue(result.truncated());
        assertEquals(LogLines.TRUNCATED_MARKER, result.lines().get(0));
        assertTrue(result.lines().get(result.lines().size() - 1).startsWith("line39 "), "the newest line is kept");
        assertTrue(JSON.writeValueAsBytes(result.lines()).length <= max);
    }

    @Test
    void aLineLongerThanTheWholeBoundIsCutAsItArrives() throws Exception {
        int max = 4096;
        LogTail tail = new LogTail(max);
        byte[] chunk = "\"\u00e9\u0001".repeat(1000).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 1000; i++) {
            tail.accept(chunk);
        }
        tail.accept("\nlast\n".getBytes(StandardCharsets.UTF_8));
        LogTail.Result result = tail.finish();
        assertTrue(result.truncated());
        assertEquals("last", result.lines().get(result.lines().size() - 1));
        assertTrue(JSON.writeValueAsBytes(result.lines()).length <= max, "escapes are counted too");
    }
}
