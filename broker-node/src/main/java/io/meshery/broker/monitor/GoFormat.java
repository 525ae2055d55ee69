package io.meshery.broker.monitor;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Times and durations written the way nats-server's monitoring writes them, so that tools built for it
 * read ours: timestamps in RFC 3339 with nanoseconds and no trailing zeros, durations as Go prints them
 * ({@code 1m30.5s}, {@code 880µs}), uptimes as whole seconds with days and years ({@code 2d3h0m5s}).
 */
final class GoFormat {

    private static final DateTimeFormatter SECONDS =
        DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private GoFormat() {
    }

    /** {@code 2026-11-26T01:24:46.678073084Z}: UTC, fraction without trailing zeros, none when zero. */
    static String time(Instant t) {
        StringBuilder b = new StringBuilder(32).append(SECONDS.format(t));
        appendFraction(b, t.getNano(), 9);
        return b.append('Z').toString();
    }

    /** Go's {@code time.Duration.String()}: {@code 0s}, {@code 250ns}, {@code 1.5µs}, {@code 12ms}, {@code 2h0m1.25s}. */
    static String duration(Duration d) {
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
            return b.append("µs").toString();
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

    /** nats-server's uptime: whole seconds, with minutes, hours, days and years as they become non-zero. */
    static String uptime(Duration d) {
        long secs = Math.max(0, d.getSeconds());
        long mins = secs / 60;
        long hours = mins / 60;
        long days = hours / 24;
        long years = days / 365;
        if (years > 0) {
            return years + "y" + days % 365 + "d" + hours % 24 + "h" + mins % 60 + "m" + secs % 60 + "s";
        }
        if (days > 0) {
            return days + "d" + hours % 24 + "h" + mins % 60 + "m" + secs % 60 + "s";
        }
        if (hours > 0) {
            return hours + "h" + mins % 60 + "m" + secs % 60 + "s";
        }
        if (mins > 0) {
            return mins + "m" + secs % 60 + "s";
        }
        return secs + "s";
    }

    /**
     * A round-trip time as nats-server shows it: to the microsecond between a microsecond and a
     * millisecond, exact otherwise.
     */
    static String rtt(Duration d) {
        long ns = d.toNanos();
        if (ns > 1_000L && ns < 1_000_000L) {
            ns -= ns % 1_000L;
        }
        return duration(Duration.ofNanos(ns));
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
}
