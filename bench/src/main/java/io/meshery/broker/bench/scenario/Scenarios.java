package io.meshery.broker.bench.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The scenarios, in the order a run executes them. {@link #defaults()} is what a run without {@code --scenarios}
 * (and {@code --smoke}) runs; the cluster scenarios start three nodes of each server per round, which takes our
 * broker some 10 s each time, so they run only when asked for ({@code --scenarios cluster} or {@code all}).
 */
public final class Scenarios {

    /** Name that selects every cluster scenario. */
    public static final String CLUSTER_GROUP = "cluster";

    private static final List<Scenario> DEFAULTS = List.of(
            new PubScenario(),
            new PubSubScenario(),
            new FanoutScenario(),
            new QueueScenario(),
            new RequestReplyScenario(),
            new LargePayloadScenario(),
            new IdleConnectionsScenario(),
            new MeshSyncScenario(),
            JetStreamPublishScenario.sync(),
            JetStreamPublishScenario.async());

    private static final List<Scenario> CLUSTER = List.of(
            PubSubScenario.cluster(),
            RequestReplyScenario.cluster(),
            QueueScenario.cluster(),
            QueueScenario.clusterRemote());

    private static final List<Scenario> ALL = concat(DEFAULTS, CLUSTER);

    private Scenarios() {
    }

    private static List<Scenario> concat(List<Scenario> a, List<Scenario> b) {
        List<Scenario> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    /** Every scenario, the cluster ones last. */
    public static List<Scenario> all() {
        return ALL;
    }

    /** The scenarios of a run without {@code --scenarios}: all but the cluster ones. */
    public static List<Scenario> defaults() {
        return DEFAULTS;
    }

    /** The cluster scenarios. */
    public static List<Scenario> cluster() {
        return CLUSTER;
    }

    /** The scenario called {@code name}. */
    public static Optional<Scenario> named(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
