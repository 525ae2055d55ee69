package io.meshery.broker.routing;

/**
 * Told of each change to the interest of this node's own clients, by the {@link SubjectShard} that made it, after
 * the index changed and before the subscriber is told: so a listener that passes the change on to other nodes
 * does so before the client's next operation (the cluster's RS+ and RS-). Only the subscriptions of owners that are
 * {@link Subscriber#sharedWithCluster()} are reported. Called from the shard actors, several at a time.
 */
public interface InterestListener {

    /** Listens to nothing: a node that is not in a cluster. */
    InterestListener NONE = new InterestListener() {
        @Override
        public void subscribed(Subscription sub) {}

        @Override
        public void unsubscribed(Subscription sub) {}
    };

    /** {@code sub} is in the index. */
    void subscribed(Subscription sub);

    /** {@code sub} left the index. */
    void unsubscribed(Subscription sub);
}
