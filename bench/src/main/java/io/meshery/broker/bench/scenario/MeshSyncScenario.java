package io.meshery.broker.bench.scenario;


import java.util.List;

/**
 * {@code meshsync}: the load MeshSync puts on the broker. One publisher sends 2–8 KiB Kubernetes-resource events in
 * meshkit's broker {@code Message} JSON on {@code meshery.meshsync.core}; one plain subscriber and one subscriber in
 * queue group {@code meshery-server} (a scaled-out Meshery Server) must each receive every event.
 */
public final class MeshSyncScenario implements Scenario {

    static final String SUBJECT = "meshery.meshsync.core";
    static final String QUEUE = "meshery-server";
    private static final int DISTINCT_EVENTS = 64;

    @Override
    public String name() {
        return "meshsync";
    }

    @Override
    public String summary() {
        return "MeshSync-shaped 2-8 KiB JSON events on " + SUBJECT + " -> 1 plain + 1 queue subscriber: events/s";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(Metric.higher("msgs_per_sec", "msg/s"), Metric.higher("mb_per_sec", "MB/s"));
    }

    @Override
    public long defaultCount() {
        return 400_000;
    }

    @Override
    public long smokeCount() {
        return 2_000;
    }

    @Override
    public Measurement run(ScenarioContext ctx, long count) throws Exception {
        List<byte[]> events = MeshSyncEvents.generate(DISTINCT_EVENTS, 42, 2 * 1024, 8 * 1024);
        DeliveryRun.Outcome outcome = new DeliveryRun(SUBJECT, events, Payloads.BATCH_BYTES,
                List.of(DeliveryRun.Group.plain(), DeliveryRun.Group.queue(QUEUE, 1))).run(ctx, count);
        return outcome.measurement(Payloads.values(
                "msgs_per_sec", outcome.publishedPerSecond(),
                "mb_per_sec", outcome.payloadMegabytesPerSecond()));
    }
}
