package io.meshery.broker.bench.scenario;


import java.util.List;

/**
 * {@code pubsub}: one publisher, one subscriber, 16-byte messages. Measures msg/s from first publish to last receipt.
 *
 * <p>{@code cluster-pubsub} ({@link #cluster()}): the same across a 3-node cluster, the publisher connected to node
 * 1 and the subscriber to node 2, so every message crosses a route. Publishing starts once node 1 knows node 2's
 * interest.
 */
public final class PubSubScenario implements Scenario {

    private static final int CLUSTER_NODES = 3;

    private final boolean cluster;

    /** {@code pubsub}, on a lone server. */
    public PubSubScenario() {
        this(false);
    }

    private PubSubScenario(boolean cluster) {
        this.cluster = cluster;
    }

    /** {@code cluster-pubsub}: publisher on node 1, subscriber on node 2 of a 3-node cluster. */
    public static PubSubScenario cluster() {
        return new PubSubScenario(true);
    }

    @Override
    public String name() {
        return cluster ? "cluster-pubsub" : "pubsub";
    }

    @Override
    public String summary() {
        return cluster
                ? "3-node cluster: 1 publisher on node 1 -> 1 subscriber on node 2, 16 B payloads: msg/s delivered"
                : "1 publisher -> 1 subscriber, 16 B payloads: msg/s delivered";
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
    public int clusterSize() {
        return cluster ? CLUSTER_NODES : 0;
    }

    @Override
    public Measurement run(ScenarioContext ctx, long count) throws Exception {
        DeliveryRun run = cluster
                ? new DeliveryRun("bench.cluster.pubsub", List.of(Payloads.filled(16)), Payloads.BATCH_BYTES,
                        List.of(DeliveryRun.Group.plainOn(1))).publishingOn(0)
                : new DeliveryRun("bench.pubsub", List.of(Payloads.filled(16)), Payloads.BATCH_BYTES,
                        List.of(DeliveryRun.Group.plain()));
        DeliveryRun.Outcome outcome = run.run(ctx, count);
        return outcome.measurement(Payloads.values("msgs_per_sec", outcome.publishedPerSecond()));
    }
}
