package io.meshery.broker.bench.scenario;


import java.util.Collections;
import java.util.List;

/**
 * {@code fanout}: one publisher, five plain subscribers on the same subject, 16-byte messages; every subscriber
 * must receive every message. Headline: deliveries per second (published × 5 / elapsed), the figure
 * {@code nats bench} reports for fan-out.
 */
public final class FanoutScenario implements Scenario {

    private static final int SUBSCRIBERS = 5;

    @Override
    public String name() {
        return "fanout";
    }

    @Override
    public String summary() {
        return "1 publisher -> 5 subscribers, 16 B payloads: deliveries/s (each subscriber gets every message)";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(Metric.higher("deliveries_per_sec", "dlv/s"), Metric.higher("msgs_per_sec", "msg/s"));
    }

    @Override
    public long defaultCount() {
        return 3_000_000;
    }

    @Override
    public long smokeCount() {
        return 20_000;
    }

    @Override
    public Measurement run(ScenarioContext ctx, long count) throws Exception {
        DeliveryRun.Outcome outcome = new DeliveryRun("bench.fanout", List.of(Payloads.filled(16)),
                Payloads.BATCH_BYTES, Collections.nCopies(SUBSCRIBERS, DeliveryRun.Group.plain())).run(ctx, count);
        return outcome.measurement(Payloads.values(
                "deliveries_per_sec", outcome.deliveredPerSecond(),
                "msgs_per_sec", outcome.publishedPerSecond()));
    }
}
