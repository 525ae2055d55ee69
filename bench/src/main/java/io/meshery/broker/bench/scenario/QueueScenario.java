package io.meshery.broker.bench.scenario;


import java.util.List;

/**
 * {@code queue}: one publisher, four members of one queue group, 16-byte messages. Each message must reach exactly
 * one member: the members' counts must add up to the published count. The spread across members is noted.
 */
public final class QueueScenario implements Scenario {

    private static final int MEMBERS = 4;

    @Override
    public String name() {
        return "queue";
    }

    @Override
    public String summary() {
        return "1 publisher -> queue group of 4, 16 B payloads: msg/s (members together receive each message once)";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(Metric.higher("msgs_per_sec", "msg/s"));
    }

    @Override
    public long defaultCount() {
        return 6_000_000;
    }

    @Override
    public long smokeCount() {
        return 50_000;
    }

    @Override
    public Measurement run(ScenarioContext ctx, long count) throws Exception {
        DeliveryRun.Outcome outcome = new DeliveryRun("bench.queue", List.of(Payloads.filled(16)),
                Payloads.BATCH_BYTES, List.of(DeliveryRun.Group.queue("bench-workers", MEMBERS))).run(ctx, count);
        return outcome.measurement(Payloads.values("msgs_per_sec", outcome.publishedPerSecond()),
                "per member: " + outcome.memberCounts());
    }
}
