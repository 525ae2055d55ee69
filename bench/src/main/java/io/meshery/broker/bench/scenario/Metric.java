package io.meshery.broker.bench.scenario;

/**
 * A number a scenario reports.
 *
 * @param id             key in {@link Measurement#values()} and in the JSON output, e.g. {@code msgs_per_sec}
 * @param unit           unit shown in tables, e.g. {@code msg/s}, {@code µs}, {@code MB/s}, {@code KiB/conn}
 * @param higherIsBetter true for rates, false for latencies and memory; orients the A-vs-B ratio
 */
public record Metric(String id, String unit, boolean higherIsBetter) {

    /** A rate: higher is better. */
    public static Metric higher(String id, String unit) {
        return new Metric(id, unit, true);
    }

    /** A cost such as latency or memory: lower is better. */
    public static Metric lower(String id, String unit) {
        return new Metric(id, unit, false);
    }
}
