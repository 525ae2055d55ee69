package io.meshery.broker.routing;

/**
 * The subscriptions a literal subject reaches: every plain subscription gets the message, and each queue
 * group gets it once. Immutable and shared through the match cache.
 */
public final class Match {

    static final Subscription[] NO_SUBS = new Subscription[0];
    static final Subscription[][] NO_QUEUES = new Subscription[0][];
    public static final Match EMPTY = new Match(NO_SUBS, NO_QUEUES);

    private final Subscription[] plain;
    private final Subscription[][] queues;

    Match(Subscription[] plain, Subscription[][] queues) {
        this.plain = plain;
        this.queues = queues;
    }

    /** Plain subscriptions; do not modify. */
    public Subscription[] plain() { return plain; }

    /** One array of members per queue group; do not modify. */
    public Subscription[][] queues() { return queues; }

    public boolean isEmpty() { return plain.length == 0 && queues.length == 0; }

    public int size() {
        int n = plain.length;
        for (Subscription[] q : queues) {
            n += q.length;
        }
        return n;
    }
}
