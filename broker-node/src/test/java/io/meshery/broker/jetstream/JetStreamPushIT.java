package io.meshery.broker.jetstream;

import static io.meshery.broker.jetstream.JetStreamConsumersIT.connect;
import static io.meshery.broker.jetstream.JetStreamConsumersIT.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestBroker;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.OrderedConsumerContext;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.Subscription;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.OrderedConsumerConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Push consumers through jnats: durable push with acks, queue groups, heartbeats, the ordered consumer. */
class JetStreamPushIT {

    @TempDir
    Path dir;

    private static String text(Message m) {
        return new String(m.getData(), StandardCharsets.UTF_8);
    }

    private static void publish(Connection nc, String subject, int from, int to, int size) throws Exception {
        JetStream js = nc.jetStream();
        CompletableFuture<?> last = null;
        for (int i = from; i < to; i++) {
            byte[] payload = new byte[Math.max(size, 8)];
            byte[] id = ("m" + i).getBytes(StandardCharsets.UTF_8);
            System.arraycopy(id, 0, payload, 0, id.length);
            last = js.publishAsync(subject, size == 0 ? id : payload);
        }
        if (last != null) {
            last.join();
        }
    }

    @Test
    void durablePushDeliversStoredAndNewMessagesAndRedelivers() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            stream(nc, "S", "s.>");
            publish(nc, "s.a", 0, 3, 0);
            JetStreamSubscription sub = nc.jetStream().subscribe("s.>", PushSubscribeOptions.builder()
                .durable("p").configuration(ConsumerConfiguration.builder().ackPolicy(AckPolicy.Explicit)
                    .ackWait(Duration.ofMillis(500)).build()).build());
            for (int i = 0; i < 3; i++) {
                Message m = sub.nextMessage(Duration.ofSeconds(3));
                assertNotNull(m, "message " + i);
                assertEquals("m" + i, text(m));
                if (i != 1) {
                    m.ack();
                }
            }
            publish(nc, "s.b", 3, 4, 0);
            Message fresh = sub.nextMessage(Duration.ofSeconds(3));
            assertEquals("m3", text(fresh));
            fresh.ack();
            Message again = sub.nextMessage(Duration.ofSeconds(3));
            assertEquals("m1", text(again), "redelivered after its ack wait");
            assertEquals(2, again.metaData().deliveredCount());
            again.ack();
            Poll.until(Duration.ofSeconds(5), "everything acknowledged", () -> ackPending(nc, "p") == 0);
        }
    }

    private static long ackPending(Connection nc, String consumer) {
        try {
            return nc.jetStreamManagement().getConsumerInfo("S", consumer).getNumAckPending();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aDeliverGroupSharesTheMessages() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            stream(nc, "S", "s.>");
            PushSubscribeOptions options = PushSubscribeOptions.builder().durable("g").build();
            JetStreamSubscription one = nc.jetStream().subscribe("s.>", "workers", options);
            JetStreamSubscription two = nc.jetStream().subscribe("s.>", "workers", options);
            publish(nc, "s.a", 0, 40, 0);
            AtomicInteger got = new AtomicInteger();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (got.get() < 40 && System.nanoTime() < deadline) {
                for (JetStreamSubscription s : new JetStreamSubscription[] {one, two}) {
                    Message m = s.nextMessage(Duration.ofMillis(20));
                    if (m != null) {
                        m.ack();
                        got.incrementAndGet();
                    }
                }
            }
            assertEquals(40, got.get(), "each message once, to one member");
        }
    }

    @Test
    void idleHeartbeatsGoToTheDeliverSubject() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            stream(nc, "S", "s.>");
            Subscription raw = nc.subscribe("hb.inbox");
            nc.jetStreamManagement().addOrUpdateConsumer("S", ConsumerConfiguration.builder().durable("hb")
                .deliverSubject("hb.inbox").flowControl(Duration.ofMillis(200)).build());
            Message hb = raw.nextMessage(Duration.ofSeconds(3));
            assertNotNull(hb);
            assertTrue(hb.isStatusMessage());
            assertEquals(100, hb.getStatus().getCode());
            assertEquals("Idle Heartbeat", hb.getStatus().getMessage());
            assertEquals("0", hb.getHeaders().getFirst("Nats-Last-Consumer"));
        }
    }

    @Test
    void theOrderedConsumerReadsEverythingWithFlowControl() throws Exception {
        int total = 3000;
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            stream(nc, "S", "s.>");
            publish(nc, "s.a", 0, total, 1024); // 3 MB: flow control requests along the way
            JetStreamSubscription sub = nc.jetStream().subscribe("s.>",
                PushSubscribeOptions.builder().ordered(true).build());
            for (int i = 0; i < total; i++) {
                Message m = sub.nextMessage(Duration.ofSeconds(5));
                assertNotNull(m, "message " + i);
                assertEquals(i + 1, m.metaData().streamSequence());
            }
            sub.unsubscribe();

            OrderedConsumerContext occ = nc.getStreamContext("S")
                .createOrderedConsumer(new OrderedConsumerConfiguration().filterSubject("s.a"));
            for (int i = 0; i < 10; i++) {
                Message m = occ.next(Duration.ofSeconds(3));
                assertNotNull(m, "ordered pull " + i);
                assertEquals(i + 1, m.metaData().streamSequence());
            }
        }
    }
}
