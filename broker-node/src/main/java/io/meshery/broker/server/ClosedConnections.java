package io.meshery.broker.server;

import java.util.ArrayList;
import java.util.List;

/**
 * The last {@code capacity} closed connections, oldest first, for {@code /connz?state=closed}. When full, a
 * newly closed connection pushes out the oldest (nats-server keeps 10,000 the same way).
 *
 * <p>Thread-safe. Connections close one at a time and far less often than messages flow, so one monitor
 * is enough here.
 */
final class ClosedConnections {

    private final ConnectionInfo[] ring;
    private int next;
    private int size;

    ClosedConnections(int capacity) {
        this.ring = new ConnectionInfo[capacity];
    }

    synchronized void add(ConnectionInfo closed) {
        if (ring.length == 0) {
            return;
        }
        ring[next] = closed;
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
    }

    /** The connections kept, oldest first. */
    synchronized List<ConnectionInfo> snapshot() {
        List<ConnectionInfo> all = new ArrayList<>(size);
        int first = (next - size + ring.length) % Math.max(1, ring.length);
        for (int i = 0; i < size; i++) {
            all.add(ring[(first + i) % ring.length]);
        }
        return all;
    }

    synchronized ConnectionInfo find(long cid) {
        for (int i = 0; i < size; i++) {
            ConnectionInfo c = ring[(next - 1 - i + ring.length) % ring.length];
            if (c.cid() == cid) {
                return c;
            }
        }
        return null;
    }

    synchronized int size() {
        return size;
    }
}
