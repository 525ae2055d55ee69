package io.meshery.broker.bench.report;

import io.meshery.broker.bench.RunResult;
import io.meshery.broker.bench.scenario.Metric;
import io.meshery.broker.bench.scenario.Scenario;
import io.meshery.broker.bench.server.ServerSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Results folded across rounds: per scenario and metric, each server's median (over its good runs) and the A-vs-B
 * ratio; per scenario and server, loss and resource use.
 *
 * <p>The ratio is oriented so that above 1 always means A did better: A/B for rates, B/A for latency and memory.
 *
 * @param servers   the servers compared
 * @param rows      one per scenario and metric
 * @param resources one per scenario and server
 */
public record Summary(List<ServerSpec> servers, List<Row> rows, List<Resources> resources) {

    /**
     * @param scenario scenario name
     * @param metric   the metric
     * @param medians  median by server label; null where a server had no good run
     * @param spreads  (max − min) / median over the good runs, by server label; null with fewer than two runs
     * @param ratio    A against B, above 1 = A better; null unless both have a median
     */
    public record Row(String scenario, Metric metric, Map<String, Double> medians, Map<String, Double> spreads,
                      Double ratio) {
    }

    /**
     * @param scenario         scenario name
     * @param server           which server
     * @param runs             runs made
     * @param goodRuns         runs with no loss and no error
     * @param lost             lost messages over all runs
     * @param disconnects      client connections the server dropped, over all runs
     * @param unitName         what CPU time is divided by: msg, req, conn
     * @param peakRssKib       highest {@code VmHWM} over the runs
     * @param serverCpuPerUnit median server CPU ns per unit
     * @param serverCores      median cores the server kept busy
     * @param clientCpuPerUnit median client CPU ns per unit
     * @param clientCores      median cores this client kept busy
     * @param otherCores       highest load from anything else during a run of at least a second (see
     *                         {@link io.meshery.broker.bench.ResourceUsage#otherCores()}); shorter runs are
     *                         too coarse for the 10 ms ticks of {@code /proc/stat}
     */
    public record Resources(String scenario, ServerSpec server, int runs, int goodRuns, long lost, int disconnects,
                            String unitName, long peakRssKib, Double serverCpuPerUnit, Double serverCores,
                            Double clientCpuPerUnit, Double clientCores, double otherCores) {
    }

    private static final long MIN_WALL_FOR_NOISE = 1_000_000_000L;

    /** Folds {@code results}. */
    public static Summary of(List<ServerSpec> servers, List<Scenario> scenarios, List<RunResult> results) {
        List<Row> rows = new ArrayList<>();
        List<Resources> resources = new ArrayList<>();
        for (Scenario scenario : scenarios) {
            Map<String, List<RunResult>> byServer = new LinkedHashMap<>();
            for (ServerSpec server : servers) {
                byServer.put(server.label(), results.stream()
                        .filter(r -> r.scenario().equals(scenario.name()) && r.server().equals(server)).toList());
            }
            for (Metric metric : scenario.metrics()) {
                Map<String, Double> medians = new LinkedHashMap<>();
                Map<String, Double> spreads = new LinkedHashMap<>();
                byServer.forEach((label, runs) -> {
                    double[] values = good(runs).stream()
                            .mapToDouble(r -> r.measurement().values().getOrDefault(metric.id(), Double.NaN))
                            .filter(d -> !Double.isNaN(d)).toArray();
                    medians.put(label, medianOf(values));
                    spreads.put(label, spreadOf(values));
                });
                rows.add(new Row(scenario.name(), metric, medians, spreads,
                        ratio(metric, medians.get("A"), medians.get("B"))));
            }
            for (ServerSpec server : servers) {
                resources.add(resources(scenario.name(), server, byServer.get(server.label())));
            }
        }
        return new Summary(servers, rows, resources);
    }

    private static Resources resources(String scenario, ServerSpec server, List<RunResult> runs) {
        List<RunResult> good = good(runs);
        String unit = runs.stream().filter(r -> r.measurement() != null).map(r -> r.measurement().unitName())
                .findFirst().orElse("msg");
        return new Resources(scenario, server, runs.size(), good.size(),
                runs.stream().mapToLong(RunResult::lost).sum(),
                runs.stream().filter(r -> r.measurement() != null).mapToInt(r -> r.measurement().disconnects()).sum(),
                unit,
                runs.stream().mapToLong(r -> r.usage().peakRssKib()).max().orElse(0),
                median(good, RunResult::serverCpuPerUnit), median(good, r -> r.usage().serverCores()),
                median(good, RunResult::clientCpuPerUnit), median(good, r -> r.usage().clientCores()),
                runs.stream().filter(r -> r.usage().wallNanos() >= MIN_WALL_FOR_NOISE)
                        .mapToDouble(r -> r.usage().otherCores()).max().orElse(0));
    }

    private static List<RunResult> good(List<RunResult> runs) {
        return runs.stream().filter(RunResult::ok).toList();
    }

    /** Median (mean of the middle two for an even count); null when there is nothing to take it of. */
    static Double median(List<RunResult> runs, ToDoubleFunction<RunResult> value) {
        return medianOf(runs.stream().mapToDouble(value).filter(d -> !Double.isNaN(d)).toArray());
    }

    /** (max − min) / median; null for fewer than two values or a zero median. */
    static Double spreadOf(double... values) {
        Double median = medianOf(values);
        if (values.length < 2 || median == null || median == 0) {
            return null;
        }
        double min = Arrays.stream(values).min().orElseThrow();
        double max = Arrays.stream(values).max().orElseThrow();
        return (max - min) / Math.abs(median);
    }

    private static Double ratio(Metric metric, Double a, Double b) {
        if (a == null || b == null || a <= 0 || b <= 0) {
            return null;
        }
        return metric.higherIsBetter() ? a / b : b / a;
    }

    /** Median of plain values; null when there are none. */
    static Double medianOf(double... values) {
        double[] v = values.clone();
        Arrays.sort(v);
        if (v.length == 0) {
            return null;
        }
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }
}
