package io.meshery.broker.testkit;

import io.meshery.broker.protocol.PubArgs;
import io.meshery.broker.routing.Subscriber;
import io.meshery.broker.routing.Subscription;

/** A subscriber that accepts every message and does nothing with it: an owner for subscriptions in unit tests. */
public final class NoSubscriber implements Subscriber {

    public static final NoSubscriber INSTANCE = new NoSubscriber();

    private NoSubscriber() {
    }

    @Override
    public boolean deliver(Subscription sub, PubArgs msg, byte[] buf, int off, int len) {
        return true;
    }

    @Override
    public void flush() {
    }

    @Override
    public void subscriptionFinished(Subscription sub) {
    }

    @Override
    public long id() {
        return 0;
    }
}
