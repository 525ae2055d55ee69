package io.meshery.broker.routing;

import io.meshery.broker.protocol.PubArgs;

/**
 * Whatever holds subscriptions in the {@link SubjectIndex}: a client connection today, a remote node or a
 * server-side handler later. Publishers call it from their own thread, so every method is thread-safe.
 */
public interface Subscriber {

    /** What kind of subscriber this is; the fan-out treats the kinds differently (see {@link Fanout}). */
    enum Kind {
        /** A client connected to this node. */
        LOCAL_CLIENT,
        /** Another node of the cluster, holding the interest of its own clients. */
        REMOTE_NODE,
        /** A handler inside this node (an API, a stream capturing its subjects). */
        INTERNAL
    }

    /** Fixed for the subscriber's life. */
    default Kind kind() {
        return Kind.LOCAL_CLIENT;
    }

    /**
     * Whether the other nodes of a cluster hear of this subscriber's interest (and so forward it what their clients
     * publish): a client's, and a node's own handlers that serve the whole cluster (a stream capturing its subjects,
     * a consumer's acknowledgements); never another node's (one hop).
     */
    default boolean sharedWithCluster() {
        return kind() == Kind.LOCAL_CLIENT;
    }

    /**
     * Queues one message for {@code sub}. Must not block. The message is {@code msg}'s subject and reply
     * with the payload {@code buf[off, off+len)} (headers first when {@code msg.hasHeaders()}).
     *
     * @return {@code false} when the message was not queued (the subscriber is closed or too slow)
     */
    boolean deliver(Subscription sub, PubArgs msg, byte[] buf, int off, int len);

    /** Writes out what {@link #deliver} queued; called once per batch of deliveries, from any thread. */
    void flush();

    /** {@code sub} reached its maximum number of messages; called once, from any thread. */
    void subscriptionFinished(Subscription sub);

    /**
     * Flow control: whether the publisher {@code waiter} should stop reading its input until this subscriber has
     * written out part of what it holds. True only while this subscriber is backlogged and still making progress;
     * then {@code waiter.receiverDrained()} follows once, when it no longer is (or closes). A subscriber that
     * makes no progress never holds anyone: it is cut as a slow consumer instead.
     */
    default boolean holdsPublisher(FlowWaiter waiter, long nowNanos) {
        return false;
    }

    /** A connection id for logs and monitoring. */
    long id();
}
