package io.meshery.broker.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshery.broker.config.GoDuration;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each expected text is what Go (nats-server 2.9.10) prints for the same value. */
class GoFormatTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0s",
        "1, 1ns",
        "999, 999ns",
        "1000, 1µs",
        "1500, 1.5µs",
        "880000, 880µs",
        "35753449, 35.753449ms",
        "1000000000, 1s",
        "1500000000, 1.5s",
        "60000000000, 1m0s",
        "61250000000, 1m1.25s",
        "3600000000000, 1h0m0s",
        "120000000000, 2m0s",
        "90061000000001, 25h1m1.000000001s",
        "-1500000, -1.5ms",
    })
    void durationsAsGoPrintsThem(long nanos, String expected) {
        assertEquals(expected, GoDuration.format(Duration.ofNanos(nanos)));
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0s",
        "59, 59s",
        "85, 1m25s",
        "3725, 1h2m5s",
        "86400, 1d0h0m0s",
        "90061, 1d1h1m1s",
        "31536000, 1y0d0h0m0s",
        "31626061, 1y1d1h1m1s",
    })
    void uptimesAsNatsServerPrintsThem(long seconds, String expected) {
        assertEquals(expected, GoFormat.uptime(Duration.ofSeconds(seconds).plusMillis(999)));
    }

    @ParameterizedTest
    @CsvSource({
        "880123, 880µs",
        "1000, 1µs",
        "999, 999ns",
        "1234567, 1.234567ms",
    })
    void roundTripsTruncatedToMicrosecondsBelowAMillisecond(long nanos, String expected) {
        assertEquals(expected, GoFormat.rtt(Duration.ofNanos(nanos)));
    }

    @ParameterizedTest
    @CsvSource({
        "2026-11-26T01:24:46.678073084Z, 2026-11-26T01:24:46.678073084Z",
        "2026-11-26T01:24:46.678073080Z, 2026-11-26T01:24:46.67807308Z",
        "2026-11-26T01:24:46.500Z, 2026-11-26T01:24:46.5Z",
        "2026-11-26T01:24:46Z, 2026-11-26T01:24:46Z",
        "2026-01-02T03:04:05.000000001Z, 2026-01-02T03:04:05.000000001Z",
    })
    void timesInRfc3339WithoutTrailingZeros(String instant, String expected) {
        assertEquals(expected, GoFormat.time(Instant.parse(instant)));
    }
}
