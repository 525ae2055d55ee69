package io.meshery.broker.bench.scenario;


import java.util.List;

/**
 * {@code queue}: one publisher, four members of one queue group, 16-byte messages. Each message must reach exactly
 * one member: the members' counts must add up to the published count. The spread across members is noted.
 *
 * <p>{@code cluster-queue} ({@link #cluster()}): a queue group of three across a 3-node cluster, one member on each
 * node, the publisher on node 1. The group together must again receive each message once, whichever node its
 * member is on; publishing starts once node 1 knows the members of nodes 2 and 3. nats-server picks among all
 * members, local or remote, so about two thirds of the messages cross a route; a server that prefers the member on
 * the publisher's node crosses none, and the run notes it.
 */
public final class QueueScenario implements Scenario {

    private static final int MEMBERS = 4;

    private final boolean cluster;
    /** In the cluster variant: no member on the publisher's node, so every message crosses a route. */
    private final boolean remoteOnly;

    /** {@code queue}, on a lone server. */
    public QueueScenario() {
        this(false, false);
    }

    private QueueScenario(boolean cluster, boolean remoteOnly) {
        this.cluster = cluster;
        this.remoteOnly = remoteOnly;
    }

    /** {@code cluster-queue}: one member on each node of a 3-node cluster, publisher on node 1. */
    public static QueueScenario cluster() {
        return new QueueScenario(true, false);
    }

    /** {@code cluster-queue-remote}: one member on nodes 2 and 3 each, publisher on node 1: all cross a route. */
    public static QueueScenario clusterRemote() {
        return new QueueScenario(true, true);
    }

    @Override
    public String name() {
        return !cluster ? "queue" : remoteOnly ? "cluster-queue-remote" : "cluster-queue";
    }

    @Override
    public String summary() {
        if (remoteOnly) {
            return "3-node cluster: 1 publisher on node 1 -> queue group of 2, members on nodes 2 and 3, 16 B payloads:"
                + " msg/s (every message crosses a route; members together receive each once)";
        }
        return cluster
                ? "3-node cluster: 1 publisher on node 1 -> queue group of 3, one member per node, 16 B payloads: msg/s"
                + " (members together receive each message once)"
                : "1 publisher -> queue group of 4, 16 B payloads: msg/s (members together receive each message once)";
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
    public int clusterSize() {
        return cluster ? 3 : 0;
    }

    @Override
    public Measurement run(ScenarioContext ctx, long count) throws Exception {
        DeliveryRun run = cluster
                ? new DeliveryRun("bench.cluster.queue", List.of(Payloads.filled(16)), Payloads.BATCH_BYTES,
                        List.of(remoteOnly ? DeliveryRun.Group.queueOn("bench-workers", 1, 2)
                            : DeliveryRun.Group.queueOn("bench-workers", 0, 1, 2))).publishingOn(0)
                : new DeliveryRun("bench.queue", List.of(Payloads.filled(16)), Payloads.BATCH_BYTES,
                        List.of(DeliveryRun.Group.queue("bench-workers", MEMBERS)));
        DeliveryRun.Outcome outcome = run.run(ctx, count);
        String perMember = (remoteOnly ? "per member (nodes 2, 3): " : cluster ? "per member (nodes 1, 2, 3): "
            : "per member: ") + outcome.memberCounts();
        List<Long> counts = outcome.memberCounts();
        if (cluster && !remoteOnly && outcome.published() > 0 && counts.subList(1, counts.size()).stream().allMatch(c -> c == 0)) {
            return outcome.measurement(Payloads.values("msgs_per_sec", outcome.publishedPerSecond()), perMember,
                    "the members on nodes 2 and 3 received nothing: node 1 gave every message to its own member,"
                            + " none crossed a route");
        }
        return outcome.measurement(Payloads.values("msgs_per_sec", outcome.publishedPerSecond()), perMember);
    }
}
