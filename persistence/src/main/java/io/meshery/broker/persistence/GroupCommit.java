package io.meshery.broker.persistence;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Group commit for one store: writers commit their records under the store's write lock, each getting a
 * ticket (the store's byte counter after its write), and then call {@link #forceUpTo} without the lock. The
 * first caller forces the active segment for everything written so far; callers that committed before that
 * force started find their ticket covered and return without forcing.
 *
 * <p>Thread-safe: one monitor serializes forces; {@code durable} is volatile.
 */
final class GroupCommit {

    /** What to force: taken under the store's read lock. */
    record Target(Segment segment, FileChannel channel, long written) {
    }

    /** The store side. */
    interface Store {
        /** The active segment and the bytes written so far; throws if the store failed. */
        Target target() throws IOException;

        boolean closed();
    }

    /** One daemon thread forces the stores that sync on an interval. */
    static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meshery-store-sync");
        t.setDaemon(true);
        return t;
    });

    private final Object monitor = new Object();
    private final Store store;
    private volatile long durable;

    GroupCommit(Store store) {
        this.store = store;
    }

    /** Returns once every byte up to {@code ticket} is forced. */
    void forceUpTo(long ticket) throws IOException {
        if (durable >= ticket) {
            return;
        }
        synchronized (monitor) {
            for (int attempt = 0; durable < ticket; attempt++) {
                Target t = store.target();
                try {
                    if (t.channel() == null) {
                        throw new ClosedChannelException();
                    }
                    t.channel().force(false);
                } catch (ClosedChannelException e) {
                    // sealed or closed after a force: durable; replaced by a reload: force the new one
                    if (!t.segment().forcedForGood) {
                        if (attempt < 3 && !store.closed()) {
                            continue;
                        }
                        throw e;
                    }
                }
                durable = Math.max(durable, t.written());
            }
        }
    }
}
