package dev.stacyvm.contract.time;

import dev.stacyvm.contract.api.ApiException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Go writes and reads them ({@code "30s"}, {@code "5m"}, {@code "1h30m"},
 * {@code "1.5s"}, {@code "250ms"}), because StacyVM clients send and expect that form.
 */
public final class GoDuration {

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
    private static final Duration MAX = Duration.ofNanos(Long.MAX_VALUE);

    private GoDuration() {
    }

    /**
     * Parses a Go duration string. A bare {@code "0"} is zero, as in Go.
     *
     * @throws IllegalArgumentException with a message fit for a client when the text is not a duration
     */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("duration is empty");
        }
        String s = text.trim();
        boolean negative = false;
        if (s.startsWith("-") || s.startsWith("+")) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(s);
        int position = 0;
        java.math.BigDecimal nanos = java.math.BigDecimal.ZERO;
        while (position < s.length()) {
            if (!m.find(position) || m.start() != position) {
                throw new IllegalArgumentException("invalid duration \"" + text + "\" (use Go form such as 30s, 5m, 1h30m)");
            }
            java.math.BigDecimal value = new java.math.BigDecimal(m.group(1).startsWith(".") ? "0" + m.group(1) : m.group(1));
            nanos = nanos.add(value.multiply(java.math.BigDecimal.valueOf(unitNanos(m.group(2)))));
            position = m.end();
        }
        if (nanos.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("duration \"" + text + "\" is too long");
        }
        Duration d = Duration.ofNanos(nanos.longValue());
        return negative ? d.negated() : d;
    }

    /**
     * Parses a request field that must hold a positive Go duration.
     *
     * @throws ApiException {@code bad_request} naming the field
     */
    public static Duration parsePositiveField(String field, String text) {
        Duration duration;
        try {
            duration = parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field + ": " + e.getMessage());
        }
        if (duration.isNegative() || duration.isZero()) {
            throw ApiException.badRequest(field + " must be positive");
        }
        return duration;
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> throw new IllegalArgumentException("unknown unit " + unit);
        };
    }

    /** Formats like Go's {@code time.Duration.String()}: {@code 1h30m0s}, {@code 2.5s}, {@code 150ms}. */
    public static String format(Duration duration) {
        if (duration.compareTo(MAX) > 0) {
            duration = MAX;
        }
        long total = duration.toNanos();
        if (total == 0) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        if (total < 0) {
            out.append('-');
            total = -total;
        }
        if (total < 1_000_000_000L) {
            if (total < 1_000L) {
                return out.append(total).append("ns").toString();
            }
            if (total < 1_000_000L) {
                return out.append(fraction(total, 1_000L)).append("µs").toString();
            }
            return out.append(fraction(total, 1_000_000L)).append("ms").toString();
        }
        long hours = total / 3_600_000_000_000L;
        long rest = total % 3_600_000_000_000L;
        long minutes = rest / 60_000_000_000L;
        long secondsNanos = rest % 60_000_000_000L;
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            out.append(minutes).append('m');
        }
        return out.append(fraction(secondsNanos, 1_000_000_000L)).append('s').toString();
    }

    private static String fraction(long value, long unit) {
        long whole = value / unit;
        long remainder = value % unit;
        if (remainder == 0) {
            return Long.toString(whole);
        }
        String digits = String.format("%0" + (Long.toString(unit).length() - 1) + "d", remainder);
        return whole + "." + digits.replaceAll("0+$", "");
    }
}
