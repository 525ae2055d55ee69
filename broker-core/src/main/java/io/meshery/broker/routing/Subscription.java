package io.meshery.broker.routing;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One subscription: a subject (wildcards allowed), an optional queue group and the subscriber's id for it.
 * Identity matters: the index stores and removes subscriptions by reference.
 */
public final class Subscription {

    private final Subscriber owner;
    /** The owner's kind, read once: the fan-out asks it for every delivery. */
    private final boolean remote;
    private final String subject;
    private final String queue;
    private final String sid;
    private final byte[] sidBytes;
    private final AtomicLong delivered = new AtomicLong();
    private volatile long max;
    private volatile boolean closed;

    public Subscription(Subscriber owner, String subject, String queue, String sid) {
        this.owner = owner;
        this.remote = owner.kind() == Subscriber.Kind.REMOTE_NODE;
        this.subject = subject;
        this.queue = queue;
        this.sid = sid;
        this.sidBytes = sid.getBytes(StandardCharsets.ISO_8859_1);
    }

    public Subscriber owner() { return owner; }
    /** Whether the owner is another node (a route), not a subscriber on this one. */
    public boolean isRemote() { return remote; }
    public String subject() { return subject; }
    /** The queue group, or {@code null}. */
    public String queue() { return queue; }
    public String sid() { return sid; }
    public byte[] sidBytes() { return sidBytes; }
    public long delivered() { return delivered.get(); }
    public long max() { return max; }
    public boolean isClosed() { return closed; }

    /** Ends the subscription for delivery at once; the index drops it when its shard gets to it. */
    public void close() {
        closed = true;
    }

    /**
     * Sets the number of messages after which the subscription ends (UNSUB with a max).
     *
     * @return {@code true} when that many were already delivered, so it ends now
     */
    public boolean limitTo(long maxMessages) {
        this.max = maxMessages;
        if (delivered.get() >= maxMessages) {
            closed = true;
            return true;
        }
        return false;
    }

    /**
     * Counts one delivery before it is made.
     *
     * @return {@code false} when the subscription has already had its max and must not deliver
     */
    public boolean countDelivery() {
        long m = max;
        long n = delivered.incrementAndGet();
        if (m > 0) {
            if (n > m) {
                return false;
            }
            if (n == m) {
                closed = true;
                owner.subscriptionFinished(this);
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "Subscription[" + subject + (queue == null ? "" : " " + queue) + " sid " + sid + "]";
    }
}
