package io.meshery.broker.bench.scenario;


import java.util.List;

/**
 * {@code pubsub64k}: one publisher, one subscriber, 64 KiB payloads. Measures payload throughput in MB/s
 * (10^6 bytes), where copying rather than per-message overhead dominates.
 */
public final class LargePayloadScenario implements Scenario {

    private static final int PAYLOAD = 64 * 1024;

    @Override
    public String name() {
        return "pubsub64k";
    }

    @Override
    public String summary() {
        return "1 publisher -> 1 subscriber, 64 KiB payloads: payload MB/s (MB = 10^6 B)";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(Metric.higher("mb_per_sec", "MB/s"), Metric.higher("msgs_per_sec", "msg/s"));
    }

    @Override
    public long defaultCount() {
        return 30_000;
    }

    @Override
    public long smokeCount() {
        return 500;
    }

    @Override
    public Measurement run(ScenarioContext ctx, long count) throws Exception {
        DeliveryRun.Outcome outcome = new DeliveryRun("bench.large", List.of(Payloads.filled(PAYLOAD)), 1 << 20,
                List.of(DeliveryRun.Group.plain())).run(ctx, count);
        return outcome.measurement(Payloads.values(
                "mb_per_sec", outcome.payloadMegabytesPerSecond(),
                "msgs_per_sec", outcome.publishedPerSecond()));
    }
}
