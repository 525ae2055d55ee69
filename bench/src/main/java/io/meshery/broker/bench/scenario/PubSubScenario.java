package io.meshery.broker.bench.scenario;


import java.util.List;

/** {@code pubsub}: one publisher, one subscriber, 16-byte messages. Measures msg/s from first publish to last receipt. */
public final class PubSubScenario implements Scenario {

    @Override
    public String name() {
        return "pubsub";
    }

    @Override
    public String summary() {
        return "1 publisher -> 1 subscriber, 16 B payloads: msg/s delivered";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(Metric.higher("msgs_per_sec", "msg/s"));
    }

    @Override
    public long defaultCount() {
        return 10_000_000;
    }

    @Override
    public long smokeCount() {
        return 50_000;
    }

    @Override
    public Measurement run(ScenarioContext ctx, long count) throws Exception {
        DeliveryRun.Outcome outcome = new DeliveryRun("bench.pubsub", List.of(Payloads.filled(16)),
                Payloads.BATCH_BYTES, List.of(DeliveryRun.Group.plain())).run(ctx, count);
        return outcome.measurement(Payloads.values("msgs_per_sec", outcome.publishedPerSecond()));
    }
}
