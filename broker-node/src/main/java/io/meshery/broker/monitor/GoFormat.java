package io.meshery.broker.monitor;

import io.meshery.broker.config.GoDuration;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Times and durations written the way nats-server's monitoring writes them, so that tools built for it
 * read ours: timestamps in RFC 3339 with nanoseconds and no trailing zeros, round trips as Go prints
 * durations ({@link GoDuration#format}), uptimes as whole seconds with days and years ({@code 2d3h0m5s}).
 */
final class GoFormat {

    private static final DateTimeFormatter SECONDS =
        DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private GoFormat() {
    }

    /** {@code 2026-11-26T01:24:46.678073084Z}: UTC, fraction without trailing zeros, none when zero. */
    static String time(Instant t) {
        String seconds = SECONDS.format(t);
        if (t.getNano() == 0) {
            return seconds + 'Z';
        }
        // "0.678073084" without its leading zero
        return seconds + BigDecimal.valueOf(t.getNano(), 9).stripTrailingZeros().toPlainString().substring(1) + 'Z';
    }

    /** nats-server's uptime: whole seconds, with minutes, hours, days and years as they become non-zero. */
    static String uptime(Duration d) {
        long secs = Math.max(0, d.getSeconds());
        long mins = secs / 60;
        long hours = mins / 60;
        long days = hours / 24;
        long years = days / 365;
        StringBuilder b = new StringBuilder(16);
        if (years > 0) {
            b.append(years).append('y');
        }
        if (days > 0) {
            b.append(days % 365).append('d');
        }
        if (hours > 0) {
            b.append(hours % 24).append('h');
        }
        if (mins > 0) {
            b.append(mins % 60).append('m');
        }
        return b.append(secs % 60).append('s').toString();
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
        return GoDuration.format(Duration.ofNanos(ns));
    }
}
