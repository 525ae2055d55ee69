package io.meshery.broker.bench.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The scenarios, in the order a run executes them. {@link #defaults()} is what a run without {@code --scenarios}
 * runs; the cluster scenarios start three nodes of each server per round, which takes our broker some 10 s each
 * time, so they run only when asked for ({@code --scenarios cluster} or {@code all}). The JetStream replay
 * scenarios fill a stream of a million messages before each timed read (and a tenth of that before each warm-up),
 * which adds some three minutes to a 3-round run, so they too run only when asked for ({@code --scenarios jsreplay}
 * or {@code all}); {@code --smoke} without {@code --scenarios} runs them with the defaults ({@link #smoke()}), with
 * their small smoke counts. The replicated JetStream scenarios ({@code jsr3pubsync}, {@code jsr3pubasync}) start
 * three nodes of each server with JetStream per round, as the cluster ones do, and likewise run only when asked for
 * ({@code --scenarios jsr3} or {@code all}). The {@code go-*} scenarios drive the servers with the Go client,
 * nats.go, instead of the Java wire client; they need Go on the machine, so they too run only when asked for
 * ({@code --scenarios go} or {@code all}).
 */
public final class Scenarios {

    /** Name that selects every cluster scenario. */
    public static final String CLUSTER_GROUP = "cluster";
    /** Name that selects every JetStream replay scenario. */
    public static final String REPLAY_GROUP = "jsreplay";
    /** Name that selects every scenario driven by the Go client, nats.go. */
    public static final String GO_GROUP = "go";
    /** Name that selects every JetStream scenario on a stream with 3 replicas. */
    public static final String R3_GROUP = "jsr3";

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

    private static final List<Scenario> REPLAY = List.of(
            JetStreamReplayScenario.pull(),
            JetStreamReplayScenario.ordered());

    private static final List<Scenario> CLUSTER = List.of(
            PubSubScenario.cluster(),
            RequestReplyScenario.cluster(),
            QueueScenario.cluster(),
            QueueScenario.clusterRemote());

    private static final List<Scenario> R3 = List.of(
            JetStreamPublishScenario.syncR3(),
            JetStreamPublishScenario.asyncR3());

    private static final List<Scenario> GO = GoClientScenario.all();

    private static final List<Scenario> SMOKE = concat(DEFAULTS, REPLAY);

    private static final List<Scenario> ALL = concat(concat(concat(SMOKE, CLUSTER), R3), GO);

    private Scenarios() {
    }

    private static List<Scenario> concat(List<Scenario> a, List<Scenario> b) {
        List<Scenario> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    /**
     * Every scenario: the defaults, the JetStream replays, the cluster ones, the replicated JetStream ones, the
     * nats.go ones last.
     */
    public static List<Scenario> all() {
        return ALL;
    }

    /** The scenarios of a run without {@code --scenarios}: all but the JetStream replay and cluster ones. */
    public static List<Scenario> defaults() {
        return DEFAULTS;
    }

    /** The scenarios of {@code --smoke} without {@code --scenarios}: the defaults and the JetStream replays. */
    public static List<Scenario> smoke() {
        return SMOKE;
    }

    /** The JetStream replay scenarios. */
    public static List<Scenario> replay() {
        return REPLAY;
    }

    /** The cluster scenarios. */
    public static List<Scenario> cluster() {
        return CLUSTER;
    }

    /** The scenarios driven by nats.go ({@code go-*}), which need Go: see {@link GoClient}. */
    public static List<Scenario> go() {
        return GO;
    }

    /** The JetStream scenarios on a stream with 3 replicas, on a 3-node cluster. */
    public static List<Scenario> r3() {
        return R3;
    }

    /** The scenario called {@code name}. */
    public static Optional<Scenario> named(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
