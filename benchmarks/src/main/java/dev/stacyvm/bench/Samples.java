package dev.stacyvm.bench;

import java.util.Arrays;
import java.util.List;

/** Latencies of one operation on one path (ours or raw Docker), and what they come to. */
public record Samples(String operation, String path, int clients, long[] nanos, double seconds) {

    public double percentileMillis(double p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
        return sorted[index] / 1e6;
    }

    public double perSecond() {
        return nanos.length / seconds;
    }

    /** One row of the results, as printed and as written to JSON. */
    public Row row() {
        return new Row(operation, path, clients, nanos.length, round(percentileMillis(0.50)), round(percentileMillis(0.95)),
                round(percentileMillis(0.99)), round(perSecond()));
    }

    public record Row(String operation, String path, int clients, int count, double p50Ms, double p95Ms, double p99Ms,
                      double perSecond) {
    }

    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    static String table(List<Row> rows) {
        StringBuilder out = new StringBuilder("| operation | path | clients | n | p50 ms | p95 ms | p99 ms | ops/s |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            out.append(String.format("| %s | %s | %d | %d | %.2f | %.2f | %.2f | %.1f |%n", row.operation(), row.path(),
                    row.clients(), row.count(), row.p50Ms(), row.p95Ms(), row.p99Ms(), row.perSecond()));
        }
        return out.toString();
    }
}
