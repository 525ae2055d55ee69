package io.meshery.broker.routing;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The single writer of one partition of the {@link SubjectIndex}. Subscribing is acknowledged, so a
 * connection can hold back its next operation until the subscription is visible to every publisher;
 * removals are fire-and-forget (the subscription is already closed for delivery when they are sent).
 */
public final class SubjectShard extends AbstractBehavior<SubjectShard.Command> {

    public sealed interface Command permits Subscribe, Unsubscribe {
    }

    /** Adds {@code sub} to the index, then tells {@code replyTo}. */
    public record Subscribe(Subscription sub, ActorRef<Subscribed> replyTo) implements Command {
    }

    /** Removes {@code sub} from the index. */
    public record Unsubscribe(Subscription sub) implements Command {
    }

    /** {@code sub} is in the index: every publish from now on sees it. */
    public record Subscribed(Subscription sub) {
    }

    private final SubjectIndex index;

    public static Behavior<Command> create(SubjectIndex index) {
        return Behaviors.setup(ctx -> new SubjectShard(ctx, index));
    }

    private SubjectShard(ActorContext<Command> context, SubjectIndex index) {
        super(context);
        this.index = index;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
            .onMessage(Subscribe.class, this::onSubscribe)
            .onMessage(Unsubscribe.class, this::onUnsubscribe)
            .build();
    }

    private Behavior<Command> onSubscribe(Subscribe cmd) {
        Subscription sub = cmd.sub();
        if (!sub.isClosed()) {
            index.insert(sub);
            if (isClientInterest(sub)) {
                index.interestListener().subscribed(sub);
            }
        }
        cmd.replyTo().tell(new Subscribed(sub));
        return this;
    }

    private Behavior<Command> onUnsubscribe(Unsubscribe cmd) {
        Subscription sub = cmd.sub();
        if (index.remove(sub) && isClientInterest(sub)) {
            index.interestListener().unsubscribed(sub);
        }
        return this;
    }

    /** Interest other nodes hear of: a client's, or a handler's that serves the cluster; never another node's. */
    private static boolean isClientInterest(Subscription sub) {
        return sub.owner().sharedWithCluster();
    }
}
