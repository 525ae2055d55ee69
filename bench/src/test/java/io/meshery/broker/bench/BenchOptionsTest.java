package io.meshery.broker.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.bench.scenario.Scenarios;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void defaultsCompareOurBrokerWithNatsServer() {
        BenchOptions o = BenchOptions.parse();
        assertEquals(List.of("A", "B"), o.servers().stream().map(s -> s.label()).toList());
        assertEquals("meshery-broker", o.servers().get(0).name());
        assertEquals("nats-server", o.servers().get(1).name());
        assertEquals(3, o.rounds());
        assertEquals(Scenarios.all(), o.scenarios());
        assertTrue(o.warmup());
        assertEquals(16L << 20, o.windowBytes());
    }

    @Test
    void smokeUsesTinyCountsAndOneRound() {
        BenchOptions o = BenchOptions.parse("--smoke", "--servers", "b");
        assertEquals(1, o.rounds());
        assertFalse(o.warmup());
        Scenarios.all().forEach(s -> assertEquals(s.smokeCount(), o.countFor(s)));
        assertEquals(1, o.servers().size());
    }

    @Test
    void countsCanBeScaledAndOverridden() {
        BenchOptions o = BenchOptions.parse("--scenarios", "pub,reqrep", "--scale", "0.5", "--count", "reqrep=2k",
                "--a-cmd", "JAVA_OPTS=-Xmx1g /opt/x/nats-server -p {port}");
        assertEquals(Scenarios.named("pub").orElseThrow().defaultCount() / 2,
                o.countFor(Scenarios.named("pub").orElseThrow()));
        assertEquals(2000, o.countFor(Scenarios.named("reqrep").orElseThrow()));
        assertEquals("nats-server", o.servers().get(0).name());
        assertEquals("JAVA_OPTS=-Xmx1g /opt/x/nats-server -p 4222", o.servers().get(0).commandFor(4222));
    }

    @Test
    void rejectsWhatItDoesNotKnow() {
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--scenarios", "nope"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--bogus"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--rounds"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--count", "pub=0"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--servers", "c"));
    }
}
