package io.meshery.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.protocol.PubArgs;
import io.meshery.broker.routing.FlowWaiter;
import io.meshery.broker.routing.Subscriber;
import io.meshery.broker.routing.Subscription;
import io.meshery.broker.testkit.NoSubscriber;
import io.meshery.broker.testkit.Poll;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** The outbound buffer of one client: encoding, draining, its limits, the node's budget and flow control. */
class OutboundTest {

    private static final long MAX_PENDING = 4L << 20;
    private static final Subscriber NOBODY = NoSubscriber.INSTANCE;
    private static final Subscription SUB = new Subscription(NOBODY, "a.>", null, "7");

    private final BufferBudget budget = new BufferBudget(64L << 20);

    private static Outbound.Result append(Outbound out, String subject, byte[] payload) {
        return out.appendMessage(SUB, PubArgs.of(subject, null, -1, payload.length), payload, 0, payload.length, true);
    }

    @Test
    void appendsMsgLinesAndDrainsThemInOrder() {
        Outbound out = new Outbound(MAX_PENDING, budget);
        assertNull(out.drain());
        append(out, "a.b", "hello".getBytes(StandardCharsets.US_ASCII));
        out.appendProtocol("PONG\r\n".getBytes(StandardCharsets.US_ASCII));
        append(out, "a.c", new byte[0]);
        ByteString bytes = out.drain();
        assertEquals("MSG a.b 7 5\r\nhello\r\nPONG\r\nMSG a.c 7 0\r\n\r\n", bytes.utf8String());
        assertEquals(2, out.outMsgs());
        assertEquals(5, out.outBytes());
        assertNull(out.drain());
    }

    @Test
    void aWriteCarriesAtMostOneMegabyteAndNothingIsLostOrReordered() {
        Outbound out = new Outbound(64L << 20, budget);
        byte[] payload = new byte[1000];
        int n = 10_000; // about 10 MB queued
        for (int i = 0; i < n; i++) {
            payload[0] = (byte) i;
            assertEquals(Outbound.Result.QUEUED, append(out, "a.b", payload));
        }
        int seen = 0;
        for (ByteString w = out.drain(); w != null; w = out.drain()) {
            assertTrue(w.length() <= Outbound.MAX_WRITE + (1 << 20), "write of " + w.length());
            out.writeCompleted(System.nanoTime());
            byte[] b = w.toArray();
            String head = "MSG a.b 7 1000\r\n";
            for (int p = 0; p < b.length; p += head.length() + 1002) {
                assertEquals((byte) seen, b[p + head.length()], "message " + seen);
                seen++;
            }
        }
        assertEquals(n, seen);
    }

    @Test
    void pastMaxPendingAMessageIsRefusedAsSlowConsumer() {
        Outbound out = new Outbound(1000, budget);
        byte[] payload = new byte[400];
        assertEquals(Outbound.Result.QUEUED, append(out, "a.b", payload));
        assertEquals(Outbound.Result.QUEUED, append(out, "a.b", payload));
        assertEquals(Outbound.Result.SLOW_CONSUMER, append(out, "a.b", payload));
        // handed to the socket is still pending until the write completes
        out.drain();
        assertEquals(Outbound.Result.SLOW_CONSUMER, append(out, "a.b", payload));
        out.writeCompleted(System.nanoTime());
        assertEquals(Outbound.Result.QUEUED, append(out, "a.b", payload));
    }

    @Test
    void everyArrayIsCountedInTheBudgetUntilItsWriteCompleted() {
        Outbound out = new Outbound(MAX_PENDING, budget);
        append(out, "a.b", new byte[3000]);
        assertTrue(budget.used() >= 3000);
        out.drain();
        assertTrue(budget.used() >= 3000, "in flight still counts");
        out.writeCompleted(System.nanoTime());
        assertEquals(0, budget.used());
        append(out, "a.b", new byte[100]);
        out.closeForWrites();
        out.release();
        assertEquals(0, budget.used());
        assertTrue(budget.peak() >= 3000);
        assertEquals(Outbound.Result.CLOSED, append(out, "a.b", new byte[1]));
    }

    @Test
    void aBackloggedBufferHoldsItsPublisherUntilAWriteBringsItUnder() {
        Outbound out = new Outbound(4 * MAX_PENDING, budget);
        long threshold = out.stallThreshold();
        assertEquals(2 * MAX_PENDING, threshold);
        AtomicInteger woken = new AtomicInteger();
        FlowWaiter publisher = woken::incrementAndGet;
        assertFalse(out.holdsPublisher(publisher, System.nanoTime()), "empty: nobody waits");
        byte[] payload = new byte[64 * 1024];
        while (out.pending() <= threshold + 2L * Outbound.MAX_WRITE) {
            assertEquals(Outbound.Result.QUEUED, append(out, "a.b", payload));
        }
        assertTrue(out.holdsPublisher(publisher, System.nanoTime()));
        assertTrue(out.holdsPublisher(publisher, System.nanoTime()), "asking twice registers once");
        out.drain(); // one write of at most 1 MiB: still backlogged when it completes
        Outbound.wake(out.writeCompleted(System.nanoTime()));
        assertEquals(0, woken.get());
        while (out.drain() != null) {
            Outbound.wake(out.writeCompleted(System.nanoTime()));
        }
        assertEquals(1, woken.get(), "woken once, when no longer backlogged");
    }

    @Test
    void aStuckBufferHoldsNobody() {
        Outbound out = new Outbound(MAX_PENDING, budget);
        byte[] payload = new byte[64 * 1024];
        while (out.pending() <= out.stallThreshold()) {
            assertEquals(Outbound.Result.QUEUED, append(out, "a.b", payload));
        }
        long later = System.nanoTime() + Outbound.STUCK_AFTER_NANOS + 1;
        assertFalse(out.holdsPublisher(() -> { }, later), "no write completed for longer than the stuck limit");
    }

    @Test
    void closingWakesWhoeverWaits() {
        Outbound out = new Outbound(MAX_PENDING, budget);
        byte[] payload = new byte[64 * 1024];
        while (out.pending() <= out.stallThreshold()) {
            assertEquals(Outbound.Result.QUEUED, append(out, "a.b", payload));
        }
        AtomicInteger woken = new AtomicInteger();
        assertTrue(out.holdsPublisher(woken::incrementAndGet, System.nanoTime()));
        out.closeForWrites();
        assertEquals(1, woken.get());
        assertFalse(out.holdsPublisher(woken::incrementAndGet, System.nanoTime()));
    }

    @Test
    void overTheNodesBudgetASmallBacklogHoldsPublishersAndAStuckBufferIsCut() {
        BufferBudget small = new BufferBudget(1L << 20);
        Outbound hog = new Outbound(64L << 20, small);
        Outbound reader = new Outbound(MAX_PENDING, small);
        byte[] payload = new byte[64 * 1024];
        append(reader, "a.b", payload); // just over 64 KiB: under its own threshold of 128 KiB
        assertEquals(128 << 10, reader.stallThreshold());
        assertFalse(reader.holdsPublisher(() -> { }, System.nanoTime()));
        while (!small.isOver()) {
            assertEquals(Outbound.Result.QUEUED, append(hog, "a.b", payload));
        }
        assertTrue(reader.holdsPublisher(() -> { }, System.nanoTime()), "the node is over its budget");
        // the hog makes no progress: once it counts as stuck, its next message is refused
        Poll.until(Duration.ofSeconds(5), "the stuck hog refused",
            () -> append(hog, "a.b", payload) == Outbound.Result.SLOW_CONSUMER);
    }
}
