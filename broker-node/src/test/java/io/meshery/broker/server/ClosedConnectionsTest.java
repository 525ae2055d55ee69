package io.meshery.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClosedConnectionsTest {

    private static ConnectionInfo closed(long cid) {
        Instant t = Instant.EPOCH.plusSeconds(cid);
        return new ConnectionInfo(cid, "127.0.0.1", 1000, t, t, t, CloseReason.CLIENT_CLOSED, Duration.ZERO, 0, 0,
            0, 0, 0, "", "", "", null, List.of());
    }

    private static List<Long> cids(ClosedConnections ring) {
        return ring.snapshot().stream().map(ConnectionInfo::cid).toList();
    }

    @Test
    void keepsTheLastCapacityOldestFirst() {
        ClosedConnections ring = new ClosedConnections(3);
        assertEquals(List.of(), cids(ring));
        ring.add(closed(1));
        ring.add(closed(2));
        assertEquals(List.of(1L, 2L), cids(ring));
        ring.add(closed(3));
        ring.add(closed(4));
        ring.add(closed(5));
        assertEquals(List.of(3L, 4L, 5L), cids(ring));
        assertEquals(3, ring.size());
    }

    @Test
    void findsByIdOnlyWhatIsStillKept() {
        ClosedConnections ring = new ClosedConnections(2);
        for (long cid = 1; cid <= 5; cid++) {
            ring.add(closed(cid));
        }
        assertNull(ring.find(3));
        assertEquals(4, ring.find(4).cid());
        assertEquals(5, ring.find(5).cid());
    }

    @Test
    void zeroCapacityKeepsNothing() {
        ClosedConnections ring = new ClosedConnections(0);
        ring.add(closed(1));
        assertEquals(List.of(), cids(ring));
        assertNull(ring.find(1));
    }
}
