package io.meshery.broker.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One budget for every byte the node holds for its clients' sockets: the outbound buffers of all connections
 * together, including what has been handed to a socket and not written yet. It is what keeps a burst from
 * taking the node down when its heap is bounded (a pod with a memory limit): each connection may hold up to
 * {@code max_pending}, and nothing else bounds their sum.
 *
 * <p>Buffers are counted by the capacity of the arrays they allocate, added when an array is allocated and
 * taken off when it is released, so the count moves once per buffer, not once per message. While the node is
 * over its budget, publishers wait for any receiver that holds more than a little (see
 * {@link Outbound#holdsPublisher}), and a receiver that has made no progress for a while is cut as a slow
 * consumer instead of being given more. docs/architecture.md ("Flow control") has the whole policy.
 *
 * <p>Thread-safe: publishers on any thread allocate, the owning connections release.
 */
public final class BufferBudget {

    /** The share of the heap given to outbound buffers when no budget is configured. */
    static final double HEAP_SHARE = 0.4;
    /** Never less than this, so that a tiny heap still moves messages. */
    static final long MIN_BUDGET = 8L << 20;
    /** A receiver never holds its publishers back for more than this while it holds no more than this. */
    static final long SMALL_BACKLOG = 64 << 10;
    /** The most a receiver holds before its publishers wait for it, whatever the budget. */
    static final long MAX_STALL_THRESHOLD = 8L << 20;

    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();

    BufferBudget(long limit) {
        this.limit = limit;
    }

    /** A budget of {@link #HEAP_SHARE} of the largest heap the JVM may grow to. */
    static BufferBudget fromHeap() {
        return new BufferBudget(Math.max(MIN_BUDGET, (long) (Runtime.getRuntime().maxMemory() * HEAP_SHARE)));
    }

    /**
     * How much one receiver may hold before its publishers wait for it: half its {@code max_pending} (as
     * nats-server), at most an eighth of the budget and at most {@link #MAX_STALL_THRESHOLD}; enough for the
     * socket to always have the next write ready.
     */
    long stallThreshold(long maxPending) {
        return Math.max(SMALL_BACKLOG, Math.min(Math.min(maxPending / 2, limit / 8), MAX_STALL_THRESHOLD));
    }

    void allocated(long bytes) {
        long now = used.addAndGet(bytes);
        long p = peak.get();
        while (now > p && !peak.compareAndSet(p, now)) {
            p = peak.get();
        }
    }

    void released(long bytes) {
        used.addAndGet(-bytes);
    }

    boolean isOver() {
        return used.get() > limit;
    }

    public long limit() { return limit; }
    public long used() { return used.get(); }
    public long peak() { return peak.get(); }
}
