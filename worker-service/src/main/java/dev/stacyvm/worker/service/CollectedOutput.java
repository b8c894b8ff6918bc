package dev.stacyvm.worker.service;

import dev.stacyvm.worker.provider.ExecOutputSink;

/**
 * Keeps a command's stdout and stderr for a single answer, each up to a limit in UTF-8 bytes;
 * what passes the limit is counted, not kept, and the text says how much was dropped.
 */
final class CollectedOutput implements ExecOutputSink {

    private final long limit;
    private final StringBuilder stdout = new StringBuilder();
    private final StringBuilder stderr = new StringBuilder();
    private long stdoutBytes;
    private long stderrBytes;
    private long droppedStdout;
    private long droppedStderr;

    CollectedOutput(long limit) {
        this.limit = limit;
    }

    @Override
    public synchronized void accept(String stream, String data) {
        long size = utf8Length(data);
        if (STDERR.equals(stream)) {
            if (stderrBytes + size <= limit) {
                stderr.append(data);
                stderrBytes += size;
            } else {
                droppedStderr += size;
            }
        } else if (stdoutBytes + size <= limit) {
            stdout.append(data);
            stdoutBytes += size;
        } else {
            droppedStdout += size;
        }
    }

    synchronized String stdout() {
        return text(stdout, droppedStdout);
    }

    synchronized String stderr() {
        return text(stderr, droppedStderr);
    }

    private static String text(StringBuilder kept, long dropped) {
        return dropped == 0 ? kept.toString() : kept + "\n[stacyvm: output truncated, " + dropped + " more bytes dropped]";
    }

    private static long utf8Length(String data) {
        long bytes = 0;
        for (int i = 0; i < data.length(); i++) {
            char c = data.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
