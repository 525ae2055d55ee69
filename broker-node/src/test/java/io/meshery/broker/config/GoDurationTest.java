package io.meshery.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Go's duration syntax, as nats-server reads {@code ping_interval: "2m"}. */
class GoDurationTest {

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("0", Duration.ZERO),
                Arguments.of("0s", Duration.ZERO),
                Arguments.of("2m", Duration.ofMinutes(2)),
                Arguments.of("10s", Duration.ofSeconds(10)),
                Arguments.of("1h30m", Duration.ofMinutes(90)),
                Arguments.of("500ms", Duration.ofMillis(500)),
                Arguments.of("1.5h", Duration.ofMinutes(90)),
                Arguments.of(".5s", Duration.ofMillis(500)),
                Arguments.of("1.s", Duration.ofSeconds(1)),
                Arguments.of("2h45m10s", Duration.ofSeconds(2 * 3600 + 45 * 60 + 10)),
                Arguments.of("+3us", Duration.ofNanos(3000)),
                Arguments.of("3\u00b5s", Duration.ofNanos(3000)),
                Arguments.of("7ns", Duration.ofNanos(7)),
                Arguments.of("-5s", Duration.ofSeconds(-5)));
    }

    @ParameterizedTest
    @MethodSource("valid")
    void parses(String text, Duration expected) {
        assertEquals(expected, GoDuration.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "5", "s", "-", "1..5s", "5x", "1h30", "9999999999h"})
    void rejects(String text) {
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(text));
    }

    @Test
    void formatsAsGoPrintsDurations() {
        assertEquals("0s", GoDuration.format(Duration.ZERO));
        assertEquals("2m0s", GoDuration.format(Duration.ofMinutes(2)));
        assertEquals("1h30m0s", GoDuration.format(Duration.ofMinutes(90)));
        assertEquals("30s", GoDuration.format(Duration.ofSeconds(30)));
        assertEquals("1.5s", GoDuration.format(Duration.ofMillis(1500)));
        assertEquals("500ms", GoDuration.format(Duration.ofMillis(500)));
        assertEquals("1.5\u00b5s", GoDuration.format(Duration.ofNanos(1500)));
        assertEquals("7ns", GoDuration.format(Duration.ofNanos(7)));
        assertEquals("-5s", GoDuration.format(Duration.ofSeconds(-5)));
    }
}
