package io.meshery.broker.routing;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/** The shard actors of one {@link SubjectIndex}, one per partition, and the way to the right one. */
public final class SubjectShards {

    private final SubjectIndex index;
    private final ActorRef<SubjectShard.Command>[] shards;

    private SubjectShards(SubjectIndex index, ActorRef<SubjectShard.Command>[] shards) {
        this.index = index;
        this.shards = shards;
    }

    /** Spawns one shard actor per partition of {@code index} as children of {@code context}. */
    @SuppressWarnings("unchecked")
    public static SubjectShards spawn(ActorContext<?> context, SubjectIndex index) {
        ActorRef<SubjectShard.Command>[] refs = (ActorRef<SubjectShard.Command>[]) new ActorRef<?>[index.partitions()];
        for (int i = 0; i < refs.length; i++) {
            refs[i] = context.spawn(SubjectShard.create(index), "subject-shard-" + i);
        }
        return new SubjectShards(index, refs);
    }

    public SubjectIndex index() {
        return index;
    }

    /** The shard that owns {@code subject}. */
    public ActorRef<SubjectShard.Command> shardFor(String subject) {
        return shards[index.partitionOf(subject)];
    }
}
