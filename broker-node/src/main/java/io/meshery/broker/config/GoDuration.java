package io.meshery.broker.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

/**
 * Durations written the way nats-server reads them (Go's {@code time.ParseDuration}): an optional sign, then one
 * or more decimal numbers each with a unit, such as {@code 300ms}, {@code 1.5h} or {@code 2h45m}. Units are
 * {@code ns}, {@code us} (or {@code µs}), {@code ms}, {@code s}, {@code m} and {@code h}; {@code 0} alone needs
 * no unit. {@link #format} writes them back the way Go prints them ({@code 2m0s}).
 */
public final class GoDuration {
    private static final Map<String, Long> UNIT_NANOS = Map.of(
            "ns", 1L,
            "us", 1_000L,
            "\u00b5s", 1_000L,
            "\u03bcs", 1_000L,
            "ms", 1_000_000L,
            "s", 1_000_000_000L,
            "m", 60_000_000_000L,
            "h", 3_600_000_000_000L);
    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

    private GoDuration() {}

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException with a message such as {@code invalid duration "abc"} or
     *     {@code missing unit in duration "5"}
     */
    public static Duration parse(String text) {
        String s = text;
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw invalid(text);
        }
        BigDecimal nanos = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(start, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw invalid(text);
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            String unit = s.substring(unitStart, i);
            if (unit.isEmpty()) {
                throw new IllegalArgumentException("missing unit in duration \"" + text + "\"");
            }
            Long scale = UNIT_NANOS.get(unit);
            if (scale == null) {
                throw new IllegalArgumentException("unknown unit \"" + unit + "\" in duration \"" + text + "\"");
            }
            nanos = nanos.add(new BigDecimal(number.endsWith(".") ? number + "0" : number)
                    .multiply(BigDecimal.valueOf(scale)));
        }
        if (nanos.compareTo(MAX_NANOS) > 0) {
            throw invalid(text);
        }
        long whole = nanos.longValue();
        return Duration.ofNanos(negative ? -whole : whole);
    }

    /**
     * {@code d} as Go's {@code time.Duration.String()} prints it: {@code 0s}, {@code 250ns}, {@code 1.5µs},
     * {@code 500ms}, {@code 1.5s}, {@code 2m0s}, {@code 1h30m0s}. Used for messages and by monitoring.
     */
    public static String format(Duration d) {
        long ns = d.toNanos();
        if (ns == 0) {
            return "0s";
        }
        StringBuilder b = new StringBuilder(24);
        if (ns < 0) {
            b.append('-');
            ns = -ns;
        }
        if (ns < 1_000L) {
            return b.append(ns).append("ns").toString();
        }
        if (ns < 1_000_000L) {
            b.append(ns / 1_000L);
            appendFraction(b, ns % 1_000L, 3);
            return b.append("\u00b5s").toString();
        }
        if (ns < 1_000_000_000L) {
            b.append(ns / 1_000_000L);
            appendFraction(b, ns % 1_000_000L, 6);
            return b.append("ms").toString();
        }
        long secs = ns / 1_000_000_000L;
        long hours = secs / 3600;
        long minutes = secs / 60 % 60;
        if (hours > 0) {
            b.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            b.append(minutes).append('m');
        }
        b.append(secs % 60);
        appendFraction(b, ns % 1_000_000_000L, 9);
        return b.append('s').toString();
    }

    /** Appends {@code .fraction} with {@code digits} places, trailing zeros dropped; nothing when zero. */
    private static void appendFraction(StringBuilder b, long fraction, int digits) {
        if (fraction == 0) {
            return;
        }
        String s = Long.toString(fraction);
        int end = s.length();
        while (s.charAt(end - 1) == '0') {
            end--;
        }
        b.append('.');
        for (int i = s.length(); i < digits; i++) {
            b.append('0');
        }
        b.append(s, 0, end);
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("invalid duration \"" + text + "\"");
    }
}
