package io.meshery.broker.routing;

/**
 * A publisher holding back its input until a receiver it fed has written out its backlog: the other half of
 * {@link Subscriber#holdsPublisher}. docs/architecture.md ("Flow control") describes the policy.
 */
public interface FlowWaiter {

    /** The receiver it waited for is no longer backlogged, or closed. Called once per wait, from any thread. */
    void receiverDrained();
}
