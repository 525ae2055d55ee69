package io.meshery.broker.routing;

import io.meshery.broker.protocol.PubArgs;

/**
 * Another node of the cluster, as the fan-out sees it: it holds in the index one subscription per subject (and
 * queue group) its clients are interested in, and it is sent each message once, however many of those
 * subscriptions matched, with the names of the queue groups it was picked for.
 */
public interface RemoteNode extends Subscriber {

    @Override
    default Kind kind() {
        return Kind.REMOTE_NODE;
    }

    /**
     * Queues {@code msg} for the other node. Must not block.
     *
     * @param matchSubject the subject the other node matches its subscriptions on when it is not {@code msg}'s own
     *                     (a push consumer's deliver subject), else {@code null}
     * @param queues the queue groups this node was picked for, {@code queues[0, queueCount)}; the other node gives
     *               the message to one of its members of each
     * @return {@code false} when the message was not queued (the link is down or too far behind)
     */
    boolean forward(String matchSubject, PubArgs msg, byte[] buf, int off, int len, String[] queues,
                    int queueCount);

    /** Not used: the fan-out calls {@link #forward} once per message instead. */
    @Override
    default boolean deliver(Subscription sub, PubArgs msg, byte[] buf, int off, int len) {
        return forward(null, msg, buf, off, len, NO_QUEUES, 0);
    }

    /** Other nodes end no subscription by count. */
    @Override
    default void subscriptionFinished(Subscription sub) {}

    String[] NO_QUEUES = new String[0];
}
