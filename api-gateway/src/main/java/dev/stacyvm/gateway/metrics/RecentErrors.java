package dev.stacyvm.gateway.metrics;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The last {@value #KEPT} warnings and errors this gateway logged, for {@code GET /diagnostics}:
 * what an operator would grep the log for first. A handler on the root logger keeps them in memory
 * (messages cut at 500 characters); they are the log's lines, which never hold a key or a token.
 */
@ApplicationScoped
public class RecentErrors {

    static final int KEPT = 50;
    private static final int MAX_MESSAGE = 500;

    /** One log record: when, how bad, where from, and what it said. */
    public record Entry(Instant at, String level, String logger, String message) {
    }

    private final Deque<Entry> entries = new ArrayDeque<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() < Level.WARNING.intValue()) {
                return;
            }
            String message = record.getMessage() == null ? "" : record.getMessage();
            if (record.getParameters() != null && record.getParameters().length > 0) {
                try {
                    message = message.contains("%") ? String.format(message, record.getParameters())
                            : java.text.MessageFormat.format(message, record.getParameters());
                } catch (RuntimeException unformattable) {
                    // kept as written
                }
            }
            if (record.getThrown() != null) {
                message = message + ": " + record.getThrown();
            }
            add(new Entry(record.getInstant(), record.getLevel().getName(), record.getLoggerName(),
                    message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "..." : message));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    void start(@Observes StartupEvent start) {
        Logger.getLogger("").addHandler(handler);
    }

    void stop(@Observes ShutdownEvent stop) {
        Logger.getLogger("").removeHandler(handler);
    }

    synchronized void add(Entry entry) {
        if (entries.size() == KEPT) {
            entries.removeFirst();
        }
        entries.addLast(entry);
    }

    /** The kept records, newest first. */
    public synchronized List<Entry> newestFirst() {
        List<Entry> newest = new ArrayList<>(entries);
        java.util.Collections.reverse(newest);
        return newest;
    }
}
