package io.meshery.broker.bench.scenario;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Keeps a publisher at most a window of messages ahead of what its slowest consumer has received.
 *
 * <p>The harness runs publisher and subscribers in one JVM, so it can do what a wire protocol cannot: let the
 * publisher look at the subscribers' counters. Without a window, a server that reads faster than a subscriber can
 * drain would buffer until it disconnects the subscriber as a slow consumer, and the run would measure that
 * instead of throughput. The window (16 MiB of frames by default) is far above what a TCP connection keeps in
 * flight, so it only binds when a consumer really falls behind.
 *
 * <p>Thread-safety: one instance per publisher, used by its thread; the progress supplier reads the subscribers' volatile counters.
 */
final class FlowControl {

    /** No window: publish as fast as the socket takes it. */
    static FlowControl none() {
        return new FlowControl(0, () -> Long.MAX_VALUE);
    }

    private static final long PAUSE_NANOS = 50_000;

    private final long window;
    private final LongSupplier progress;
    private long pausedNanos;

    private FlowControl(long window, LongSupplier progress) {
        this.window = window;
        this.progress = progress;
    }

    /**
     * @param windowMessages messages the publisher may be ahead; 0 disables the window
     * @param progress       messages the slowest consumer has received, in publisher units; {@code Long.MAX_VALUE}
     *                       when waiting is pointless (a consumer is gone)
     */
    static FlowControl window(long windowMessages, LongSupplier progress) {
        return windowMessages <= 0 ? none() : new FlowControl(windowMessages, progress);
    }

    /** Waits until no more than the window is outstanding after {@code published}, or the deadline passes. */
    void await(long published, long deadlineNanos) {
        if (window == 0) {
            return;
        }
        if (published - progress.getAsLong() <= window) {
            return;
        }
        long start = System.nanoTime();
        while (published - progress.getAsLong() > window && System.nanoTime() < deadlineNanos) {
            LockSupport.parkNanos(PAUSE_NANOS);
        }
        pausedNanos += System.nanoTime() - start;
    }

    /** Time the publisher spent waiting for consumers so far. */
    long pausedNanos() {
        return pausedNanos;
    }
}
