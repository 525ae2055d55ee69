package io.meshery.broker.node;

import io.meshery.broker.routing.SubjectIndex;
import io.meshery.broker.routing.SubjectShards;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The guardian of a node's actor system: at setup it creates the subscription index and spawns its subject shards
 * (later also the cluster's actors), and it tells the node what it spawned. The node asks once, with
 * {@code AskPattern}, before it accepts clients.
 */
public final class NodeGuardian extends AbstractBehavior<NodeGuardian.Command> {

    public sealed interface Command permits GetSpawned {
    }

    /** Asks for the actors spawned at setup. */
    public record GetSpawned(ActorRef<Spawned> replyTo) implements Command {
    }

    /** The actors the guardian spawned: the shards of the subscription index. */
    public record Spawned(SubjectShards shards) {
    }

    private final SubjectShards shards;

    /** A guardian with an index of {@code literalPartitions} literal partitions (plus one for wildcards). */
    public static Behavior<Command> create(int literalPartitions) {
        return Behaviors.setup(ctx -> new NodeGuardian(ctx, new SubjectIndex(literalPartitions)));
    }

    private NodeGuardian(ActorContext<Command> context, SubjectIndex index) {
        super(context);
        this.shards = SubjectShards.spawn(context, index);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
            .onMessage(GetSpawned.class, this::onGetSpawned)
            .build();
    }

    private Behavior<Command> onGetSpawned(GetSpawned cmd) {
        cmd.replyTo().tell(new Spawned(shards));
        return this;
    }
}
