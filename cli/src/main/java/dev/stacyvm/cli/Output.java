package dev.stacyvm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** What a command answers: JSON for scripts ({@code --json}), an aligned table for people. */
final class Output {

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final PrintStream out;
    private final boolean json;

    Output(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    boolean json() {
        return json;
    }

    PrintStream stream() {
        return out;
    }

    /** One value: as JSON, or through {@code human} as a line of text (nothing when it gives none). */
    <T> void value(T value, Function<T, String> human) {
        if (json) {
            printJson(value);
            return;
        }
        String text = human.apply(value);
        if (text != null && !text.isEmpty()) {
            out.println(text);
        }
    }

    /** Rows: as a JSON array of the records, or as a table with these columns. */
    <T> void table(List<T> rows, List<String> headers, Function<T, List<String>> columns) {
        if (json) {
            printJson(rows);
            return;
        }
        List<List<String>> cells = new ArrayList<>();
        cells.add(headers);
        rows.forEach(row -> cells.add(columns.apply(row).stream().map(cell -> cell == null ? "-" : cell).toList()));
        int[] widths = new int[headers.size()];
        for (List<String> line : cells) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        for (List<String> line : cells) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                text.append(i + 1 < widths.length ? String.format("%-" + (widths[i] + 2) + "s", line.get(i)) : line.get(i));
            }
            out.println(text.toString().stripTrailing());
        }
    }

    /** One value as JSON on one line, for output that goes on (one event or refresh a line), and flushed. */
    void printJsonLine(Object value) {
        try {
            out.println(JSON.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void printJson(Object value) {
        try {
            out.println(JSON.writeValueAsString(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
