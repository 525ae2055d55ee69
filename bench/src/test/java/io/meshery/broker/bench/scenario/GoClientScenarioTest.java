package io.meshery.broker.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GoClientScenarioTest {

    @Test
    void readsTheHarnessLines() {
        Measurement m = GoClientScenario.measurement("""
                units 2000
                unit req
                value p50_us 201.5
                value reqs_per_sec 5000
                expected 2000
                received 1990
                disconnects 1
                problem go-requester-3 disconnected: EOF
                note request time limit reached after 1990 of 2000 requests
                client_cpu_ms 12.5
                """, "msg");
        assertEquals(2000, m.units());
        assertEquals("req", m.unitName());
        assertEquals(201.5, m.values().get("p50_us"));
        assertEquals(5000, m.values().get("reqs_per_sec"));
        assertEquals(10, m.lost());
        assertEquals(1, m.disconnects());
        assertEquals(List.of("go-requester-3 disconnected: EOF"), m.problems());
        assertEquals(List.of("request time limit reached after 1990 of 2000 requests",
                "nats.go harness process CPU: 13 ms"), m.notes());
        assertFalse(m.ok());
    }

    @Test
    void anUnknownLineIsAProblem() {
        Measurement m = GoClientScenario.measurement("units 1\nunit msg\nexpected 1\nreceived 1\npanic: boom\n", "msg");
        assertEquals(List.of("unexpected line from the nats.go harness: panic: boom"), m.problems());
    }

    @Test
    void everyGoScenarioIsSelectableAndNamedGo() {
        List<Scenario> go = Scenarios.go();
        assertEquals(10, go.size());
        for (Scenario s : go) {
            assertTrue(s.name().startsWith("go-"), s.name());
            assertEquals(s, Scenarios.named(s.name()).orElseThrow());
        }
        assertEquals(2, go.stream().filter(Scenario::tls).count());
        assertTrue(Scenarios.defaults().stream().noneMatch(go::contains), "go-* scenarios need Go: not a default");
    }
}
