package io.meshery.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestBroker;
import io.meshery.broker.testkit.ThrottledDataPort;
import io.meshery.broker.testkit.WireClient;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Flow control (docs/architecture.md, "Flow control"): a subscriber that keeps reading, however slowly, holds
 * its publishers back and loses nothing; one that stops reading is cut, and the others keep their pace.
 */
class FlowControlIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String QUIET = "{\"verbose\":false,\"pedantic\":false}";
    /** Small enough that every burst below passes it several times over. */
    private static final long MAX_PENDING = 8L << 20;

    /**
     * Several MeshSyncs feeding one Meshery Server: publishers × messages of 256 B into one wildcard subscriber
     * that reads at a quarter of the rate they publish. Before flow control the subscriber was cut as a slow
     * consumer once 8 MiB were pending; now every message arrives, in order per publisher.
     */
    @Test
    void fanInToASlowerSubscriberHoldsThePublishersBackAndLosesNothing() throws Exception {
        int publishers = 8;
        int perPublisher = 25_000; // 8 × 25,000 × 256 B = 51 MB, six times max_pending
        assertEverythingArrives(publishers, perPublisher, 256, 12L << 20);
    }

    /** MeshSync's start-up burst: one publisher, large messages, one slower subscriber. */
    @Test
    void oneFastPublisherToASlowerSubscriberLosesNothing() throws Exception {
        assertEverythingArrives(1, 60_000, 512, 12L << 20);
    }

    private void assertEverythingArrives(int publishers, int perPublisher, int size, long readRate) throws Exception {
        try (TestBroker broker = TestBroker.start(
                o -> o.maxPending(MAX_PENDING))) {
            ThrottledDataPort.bytesPerSecond = readRate;
            int total = publishers * perPublisher;
            AtomicInteger received = new AtomicInteger();
            AtomicReference<String> disorder = new AtomicReference<>();
            long[] lastSeq = new long[publishers];
            java.util.Arrays.fill(lastSeq, -1);
            try (Connection slow = Nats.connect(options(broker, "meshery-server")
                    .dataPortType(ThrottledDataPort.class.getName()).build())) {
                Dispatcher d = slow.createDispatcher(m -> {
                    ByteBuffer b = ByteBuffer.wrap(m.getData());
                    int pub = b.getInt();
                    long seq = b.getLong();
                    if (seq != lastSeq[pub] + 1) {
                        disorder.compareAndSet(null, "publisher " + pub + ": " + seq + " after " + lastSeq[pub]);
                    }
                    lastSeq[pub] = seq;
                    received.incrementAndGet();
                });
                d.setPendingLimits(-1, -1); // the client itself must not drop: this test is about the server
                d.subscribe("meshsync.>");
                slow.flush(WAIT);

                ExecutorService pool = Executors.newFixedThreadPool(publishers);
                try {
                    List<Future<?>> sent = new ArrayList<>();
                    for (int p = 0; p < publishers; p++) {
                        int id = p;
                        sent.add(pool.submit(() -> {
                            try (Connection pub = Nats.connect(options(broker, "meshsync-" + id).build())) {
                                byte[] payload = new byte[size];
                                ByteBuffer b = ByteBuffer.wrap(payload);
                                for (long i = 0; i < perPublisher; i++) {
                                    b.putInt(0, id).putLong(4, i);
                                    pub.publish("meshsync.cluster" + id + ".event", payload.clone());
                                }
                                pub.flush(WAIT);
                            }
                            return null;
                        }));
                    }
                    for (Future<?> f : sent) {
                        f.get();
                    }
                } finally {
                    pool.shutdownNow();
                }
                Poll.until(WAIT, "all " + total + " messages at the slow subscriber", () -> received.get() == total);
                assertEquals(null, disorder.get(), "each publisher's order is kept");
                assertEquals(0, broker.node().server().slowConsumers(), "the subscriber that kept reading was not cut");
                assertTrue(broker.node().server().publisherStalls() > 0, "publishers were held back");
                assertTrue(slow.getStatus() == Connection.Status.CONNECTED, "the slow subscriber is still connected");
            }
        }
    }

    /**
     * A subscriber that stops reading entirely holds nobody back for long: it is cut as a slow consumer, and a
     * healthy subscriber of the same subject gets every message at close to the pace it gets them with no stuck
     * reader around.
     */
    @Test
    void stuckReaderIsCutAndTheHealthySubscriberKeepsItsPace() throws Exception {
        try (TestBroker broker = TestBroker.start(
                o -> o.maxPending(MAX_PENDING))) {
            int count = 40_000; // × 512 B = 20 MB: two and a half times max_pending
            long alone = deliveryNanos(broker, count, false);
            long withStuck = deliveryNanos(broker, count, true);
            assertEquals(1, broker.node().server().slowConsumers(), "the stuck reader was cut");
            // The publisher waits for the stuck reader at most once, until it is seen to make no progress
            // (Outbound.STUCK_AFTER_NANOS); apart from that the healthy subscriber keeps its pace.
            long allowed = 3 * alone + 4 * Outbound.STUCK_AFTER_NANOS;
            assertTrue(withStuck <= allowed, "with a stuck reader " + withStuck / 1_000_000 + " ms, alone "
                + alone / 1_000_000 + " ms (allowed " + allowed / 1_000_000 + " ms)");
        }
    }

    /** How long the healthy subscriber takes to get {@code count} messages, with or without a stuck reader. */
    private static long deliveryNanos(TestBroker broker, int count, boolean stuckReader) throws Exception {
        WireClient stuck = null;
        if (stuckReader) {
            stuck = WireClient.connect(broker.port(), QUIET);
            stuck.socket().setReceiveBufferSize(4096);
            stuck.send("SUB flood 1\r\nPING\r\n").expect("PONG");
        }
        try (Connection healthy = Nats.connect(options(broker, "healthy").build());
             Connection pub = Nats.connect(options(broker, "pub").build())) {
            AtomicLong got = new AtomicLong();
            Dispatcher d = healthy.createDispatcher(m -> got.incrementAndGet());
            d.setPendingLimits(-1, -1);
            d.subscribe("flood");
            healthy.flush(WAIT);
            byte[] payload = new byte[512];
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                pub.publish("flood", payload);
            }
            pub.flush(WAIT);
            Poll.until(WAIT, "the healthy subscriber got all " + count, () -> got.get() == count);
            long took = System.nanoTime() - start;
            if (stuck != null) {
                Poll.until(WAIT, "the stuck reader cut", () -> broker.node().server().slowConsumers() == 1);
            }
            return took;
        } finally {
            if (stuck != null) {
                stuck.close();
            }
        }
    }

    private static Options.Builder options(TestBroker broker, String name) {
        return new Options.Builder().server(broker.url()).connectionName(name).noReconnect()
            .errorListener(new io.nats.client.ErrorListener() { });
    }
}
