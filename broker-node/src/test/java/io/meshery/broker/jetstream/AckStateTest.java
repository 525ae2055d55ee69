package io.meshery.broker.jetstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The consumer ack state machine: floors, redelivery queue, and a random run against a simple model. */
class AckStateTest {

    @Test
    void explicitAcksMoveTheFloorOnlyOverAContiguousPrefix() {
        AckState a = new AckState(ConsumerSpec.AckPolicy.EXPLICIT);
        for (long s = 1; s <= 5; s++) {
            a.delivered(s, s, 100);
        }
        assertTrue(a.ack(2));
        assertEquals(0, a.floorStream);
        assertTrue(a.ack(1));
        assertEquals(2, a.floorStream);
        assertEquals(2, a.floorConsumer);
        assertFalse(a.ack(1), "twice is nothing");
        assertTrue(a.drop(3));
        assertTrue(a.ack(4));
        assertTrue(a.ack(5));
        assertEquals(5, a.floorStream);
        assertEquals(0, a.pending.size());
    }

    @Test
    void ackAllAcksEverythingBelow() {
        AckState a = new AckState(ConsumerSpec.AckPolicy.ALL);
        for (long s = 1; s <= 5; s++) {
            a.delivered(s, s, 100);
        }
        assertTrue(a.ack(3));
        assertEquals(3, a.floorStream);
        assertEquals(List.of(4L, 5L), List.copyOf(a.pending.keySet()));
    }

    @Test
    void dueDeliveriesAreQueuedOnceAndCountedWhenRedelivered() {
        AckState a = new AckState(ConsumerSpec.AckPolicy.EXPLICIT);
        a.delivered(1, 1, 100);
        a.delivered(2, 2, 200);
        assertEquals(200, a.due(150));
        assertEquals(List.of(1L), List.copyOf(a.redeliver));
        assertEquals(200, a.due(150), "not queued twice");
        a.redelivered(1, 3, 2, 400);
        assertEquals(2, a.deliveries(1));
        assertTrue(a.redeliver.isEmpty());
        a.nak(2, 0);
        assertEquals(List.of(2L), List.copyOf(a.redeliver));
        a.ack(1);
        assertEquals(1, a.floorStream);
        assertEquals(0, a.redelivered.size());
    }

    @Test
    void againstAModel() {
        Random random = new Random(42);
        for (int run = 0; run < 200; run++) {
            AckState a = new AckState(ConsumerSpec.AckPolicy.EXPLICIT);
            TreeSet<Long> open = new TreeSet<>();
            long delivered = 0;
            for (int step = 0; step < 200; step++) {
                int op = random.nextInt(3);
                if (op == 0 || open.isEmpty()) {
                    delivered++;
                    a.delivered(delivered, delivered, 1000);
                    open.add(delivered);
                } else {
                    Long seq = open.ceiling(1 + (long) random.nextInt((int) delivered));
                    if (seq == null) {
                        continue;
                    }
                    if (op == 1) {
                        a.ack(seq);
                    } else {
                        a.drop(seq);
                    }
                    open.remove(seq);
                }
                long floor = open.isEmpty() ? delivered : open.first() - 1;
                assertEquals(floor, a.floorStream, "run " + run + " step " + step);
                assertEquals(open, new TreeSet<>(a.pending.keySet()));
            }
        }
    }
}
