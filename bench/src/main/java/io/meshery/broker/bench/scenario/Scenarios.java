package io.meshery.broker.bench.scenario;

import java.util.List;
import java.util.Optional;

/** The scenarios, in the order a full run executes them. */
public final class Scenarios {

    private static final List<Scenario> ALL = List.of(
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

    private Scenarios() {
    }

    /** Every scenario. */
    public static List<Scenario> all() {
        return ALL;
    }

    /** The scenario called {@code name}. */
    public static Optional<Scenario> named(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
