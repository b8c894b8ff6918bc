package dev.stacyvm.worker.provider;

import dev.stacyvm.contract.api.LogLines;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The newest lines of a log that fit in a JSON array of at most {@code maxBytes} bytes, fed with
 * the raw bytes as they arrive. It never holds more than about {@code maxBytes}: older lines are
 * dropped as newer ones come, and a line longer than the whole budget is cut as it arrives. Sizes
 * count each line as it will be written in JSON (quotes, escapes, UTF-8), so the answer stays
 * within the bound.
 */
public final class LogTail {

    /** Two brackets, and the marker with its quotes and comma, kept free from the start. */
    private static final long RESERVED = 2 + jsonSize(LogLines.TRUNCATED_MARKER) + 1;

    private final long budget;
    private final Deque<String> lines = new ArrayDeque<>();
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private long used;
    private boolean truncated;

    /**
     * The last {@code lines} lines of a log file within {@code maxBytes}, read from at most its last
     * 4 MiB (a local sandbox's console or main process's log); a missing or unreadable file reads
     * as empty.
     */
    public static Result ofFile(java.nio.file.Path log, int lines, int maxBytes) {
        LogTail tail = new LogTail(maxBytes);
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(log.toFile(), "r")) {
            long length = file.length();
            int window = (int) Math.min(length, 4L * 1024 * 1024);
            byte[] end = new byte[window];
            file.seek(length - window);
            file.readFully(end);
            List<String> all = new String(end, StandardCharsets.UTF_8).lines().toList();
            for (String line : all.subList(Math.max(0, all.size() - lines), all.size())) {
                tail.accept((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (java.io.IOException e) {
            // a missing or unreadable log reads as empty
        }
        return tail.finish();
    }

    /** @param maxBytes the most the JSON answer may take, in bytes (at least a few hundred) */
    public LogTail(long maxBytes) {
        this.budget = Math.max(0, maxBytes - RESERVED);
    }

    /** Takes the next bytes of the log; a newline ends a line. */
    public synchronized void accept(byte[] bytes) {
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                append(bytes, start, i - start);
                completeLine();
                start = i + 1;
            }
        }
        append(bytes, start, bytes.length - start);
    }

    /** The lines kept so far, oldest first, the unfinished last line included. */
    public synchronized Result finish() {
        if (partial.size() > 0) {
            completeLine();
        }
        List<String> kept = new ArrayList<>(lines.size() + 1);
        if (truncated) {
            kept.add(LogLines.TRUNCATED_MARKER);
        }
        kept.addAll(lines);
        return new Result(List.copyOf(kept), truncated);
    }

    /** The lines, oldest first (the marker first when truncated), and whether any were left out or cut. */
    public record Result(List<String> lines, boolean truncated) {
    }

    private void append(byte[] bytes, int offset, int length) {
        // a line longer than the whole budget can never be answered whole: keep its start only
        int room = (int) Math.min(Integer.MAX_VALUE - 8, budget) - partial.size();
        if (length > room) {
            truncated = true;
            length = Math.max(0, room);
        }
        partial.write(bytes, offset, length);
    }

    private void completeLine() {
        String line = partial.toString(StandardCharsets.UTF_8);
        partial.reset();
        long size = jsonSize(line) + 1;
        while (size > budget && !line.isEmpty()) {
            // escapes can make a cut line larger than its bytes: shorten until it fits
            line = line.substring(0, line.length() / 2);
            if (!line.isEmpty() && Character.isHighSurrogate(line.charAt(line.length() - 1))) {
                line = line.substring(0, line.length() - 1);
            }
            size = jsonSize(line) + 1;
            truncated = true;
        }
        lines.addLast(line);
        used += size;
        while (used > budget && !lines.isEmpty()) {
            used -= jsonSize(lines.removeFirst()) + 1;
            truncated = true;
        }
    }

    /** Bytes of {@code value} as a JSON string in UTF-8, quotes included (escapes counted at their longest). */
    static long jsonSize(String value) {
        long size = 2;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                size += 2;
            } else if (c < 0x20) {
                size += 6;
            } else if (c < 0x80) {
                size += 1;
            } else if (c < 0x800 || Character.isSurrogate(c)) {
                size += 2;
            } else {
                size += 3;
            }
        }
        return size;
    }
}
