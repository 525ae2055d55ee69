package io.meshery.broker.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.meshery.broker.bench.ResourceUsage;
import io.meshery.broker.bench.RunResult;
import io.meshery.broker.bench.scenario.Measurement;
import io.meshery.broker.bench.scenario.PubScenario;
import io.meshery.broker.bench.scenario.RequestReplyScenario;
import io.meshery.broker.bench.server.ServerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SummaryTest {

    private static final ServerSpec A = new ServerSpec("A", "a", "a");
    private static final ServerSpec B = new ServerSpec("B", "b", "b");

    private static RunResult run(String scenario, ServerSpec server, Map<String, Double> values, long lost) {
        Measurement m = new Measurement(100, "msg", values, 100, 100 - lost, 0, List.of(), List.of());
        List<String> problems = lost > 0 ? List.of("lost") : List.of();
        return new RunResult(scenario, server, 1, "pid 1", m, new ResourceUsage(1000, 500, 1500, 10_000, 2048),
                problems);
    }

    @Test
    void ratioAboveOneMeansABetterWhicheverWayTheMetricPoints() {
        List<RunResult> runs = new ArrayList<>();
        for (double v : new double[] {1, 3, 2}) {
            runs.add(run("pub", A, Map.of("msgs_per_sec", v * 100), 0));
            runs.add(run("pub", B, Map.of("msgs_per_sec", v * 50), 0));
            runs.add(run("reqrep", A, Map.of("p50_us", v * 10), 0));
            runs.add(run("reqrep", B, Map.of("p50_us", v * 20), 0));
        }
        Summary s = Summary.of(List.of(A, B), List.of(new PubScenario(), new RequestReplyScenario()), runs);
        Summary.Row pub = s.rows().get(0);
        assertEquals(200.0, pub.medians().get("A"));
        assertEquals(100.0, pub.medians().get("B"));
        assertEquals(2.0, pub.ratio());
        assertEquals(1.0, pub.spreads().get("A"), 1e-9, "(300 - 100) / 200");
        Summary.Row p50 = s.rows().get(1);
        assertEquals("p50_us", p50.metric().id());
        assertEquals(2.0, p50.ratio(), "A's latency is half of B's");
    }

    @Test
    void badRunsAreCountedButKeptOutOfMedians() {
        List<RunResult> runs = List.of(
                run("pub", A, Map.of("msgs_per_sec", 5.0), 3),
                run("pub", B, Map.of("msgs_per_sec", 7.0), 0));
        Summary s = Summary.of(List.of(A, B), List.of(new PubScenario()), runs);
        assertNull(s.rows().get(0).medians().get("A"));
        assertNull(s.rows().get(0).ratio());
        assertEquals(3, s.resources().get(0).lost());
        assertEquals(0, s.resources().get(0).goodRuns());
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertEquals(2.5, Summary.medianOf(4, 1, 2, 3));
        assertNull(Summary.medianOf());
        assertNull(Summary.spreadOf(5));
    }
}
