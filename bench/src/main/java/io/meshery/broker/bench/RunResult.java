package io.meshery.broker.bench;

import io.meshery.broker.bench.scenario.Measurement;
import io.meshery.broker.bench.server.ServerSpec;
import java.util.List;

/**
 * One timed run of one scenario against one server process.
 *
 * @param scenario    scenario name
 * @param server      which server
 * @param round       1-based round
 * @param process     the process measured (pid and executable), or empty when the server did not start
 * @param measurement what the scenario measured; null when the run failed before measuring
 * @param usage       CPU and memory over the timed run
 * @param problems    what makes the run invalid: the measurement's problems plus the runner's
 */
public record RunResult(String scenario, ServerSpec server, int round, String process, Measurement measurement,
                        ResourceUsage usage, List<String> problems) {

    /** A run that produced no measurement. */
    static RunResult failed(String scenario, ServerSpec server, int round, String process, String problem) {
        return new RunResult(scenario, server, round, process, null, ResourceUsage.NONE, List.of(problem));
    }

    /** True when the run measured something and nothing went wrong. */
    public boolean ok() {
        return measurement != null && problems.isEmpty();
    }

    /** Lost messages (0 for a failed run: its failure is reported as a problem instead). */
    public long lost() {
        return measurement == null ? 0 : measurement.lost();
    }

    /** Server CPU nanoseconds per message (request, connection). */
    public double serverCpuPerUnit() {
        return perUnit(usage.serverCpuNanos());
    }

    /** Client CPU nanoseconds per message (request, connection). */
    public double clientCpuPerUnit() {
        return perUnit(usage.clientCpuNanos());
    }

    private double perUnit(long nanos) {
        return measurement == null || measurement.units() == 0 ? 0 : nanos / (double) measurement.units();
    }
}
