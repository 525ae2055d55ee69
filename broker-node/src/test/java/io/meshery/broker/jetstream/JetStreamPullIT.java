package io.meshery.broker.jetstream;

import static io.meshery.broker.jetstream.JetStreamConsumersIT.connect;
import static io.meshery.broker.jetstream.JetStreamConsumersIT.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestBroker;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.FetchConsumeOptions;
import io.nats.client.FetchConsumer;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pull consumers through jnats: fetch, acks, statuses, redelivery, max_deliver, nak, term. */
class JetStreamPullIT {

    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Message m) {
        return new String(m.getData(), StandardCharsets.UTF_8);
    }

    private static void publish(Connection nc, String subject, int from, int to) throws Exception {
        JetStream js = nc.jetStream();
        for (int i = from; i < to; i++) {
            js.publish(subject, bytes("m" + i));
        }
    }

    @Test
    void fetchInBatchesWithAcks() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            stream(nc, "S", "s.>");
            JetStream js = nc.jetStream();
            Headers h = new Headers().add("X-Trace", "t1");
            js.publish(NatsMessage.builder().subject("s.a").headers(h).data(bytes("m0")).build());
            publish(nc, "s.b", 1, 25);

            JetStreamSubscription sub = js.subscribe("s.>", PullSubscribeOptions.builder().durable("d").build());
            List<Message> first = sub.fetch(10, Duration.ofSeconds(2));
            assertEquals(10, first.size());
            assertEquals("s.a", first.get(0).getSubject(), "the stored message's own subject");
            assertEquals("t1", first.get(0).getHeaders().getFirst("X-Trace"), "headers kept");
            assertEquals(1, first.get(0).metaData().streamSequence());
            assertEquals(1, first.get(0).metaData().consumerSequence());
            assertEquals(24, first.get(0).metaData().pendingCount());
            assertEquals(1, first.get(0).metaData().deliveredCount());
            for (int i = 0; i < 10; i++) {
                assertEquals("m" + i, text(first.get(i)));
                first.get(i).ack();
            }
            List<Message> rest = new ArrayList<>();
            sub.iterate(20, Duration.ofSeconds(2)).forEachRemaining(rest::add);
            assertEquals(15, rest.size());
            assertEquals("m24", text(rest.get(14)));
            rest.get(13).ackSync(Duration.ofSeconds(2)); // explicit: acks this one only
            ConsumerInfo info = nc.jetStreamManagement().getConsumerInfo("S", "d");
            assertEquals(25, info.getDelivered().getStreamSequence());
            assertEquals(10, info.getAckFloor().getStreamSequence());
            assertEquals(14, info.getNumAckPending());
            for (Message m : rest) {
                m.ack();
            }
            Poll.until(Duration.ofSeconds(5), "all acked", () -> ackFloor(nc, "d") == 25);
            assertEquals(0, nc.jetStreamManagement().getConsumerInfo("S", "d").getNumAckPending());
            assertEquals(0, nc.jetStreamManagement().getConsumerInfo("S", "d").getNumPending());
        }
    }

    private static long ackFloor(Connection nc, String consumer) {
        try {
            return nc.jetStreamManagement().getConsumerInfo("S", consumer).getAckFloor().getStreamSequence();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void simplifiedApiFetchAndNewMessagesWhileWaiting() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            stream(nc, "S", "s.>");
            publish(nc, "s.x", 0, 7);
            nc.jetStreamManagement().addOrUpdateConsumer("S", ConsumerConfiguration.builder().durable("c")
                .ackPolicy(AckPolicy.Explicit).build());
            ConsumerContext cc = nc.getStreamContext("S").getConsumerContext("c");
            int got = 0;
            try (FetchConsumer fc = cc.fetchMessages(5)) {
                for (Message m = fc.nextMessage(); m != null; m = fc.nextMessage()) {
                    assertEquals("m" + got, text(m));
                    m.ack();
                    got++;
                }
            }
            assertEquals(5, got);
            FetchConsumeOptions shortWait = FetchConsumeOptions.builder().maxMessages(5).expiresIn(1000).build();
            try (FetchConsumer fc = cc.fetch(shortWait)) {
                for (Message m = fc.nextMessage(); m != null; m = fc.nextMessage()) {
                    m.ack();
                    got++;
                }
            }
            assertEquals(7, got, "the last two, then the fetch ends at its expiry");

            // a request that waits is served when a message is stored
            Thread publisher = new Thread(() -> {
                try {
                    Poll.until(Duration.ofSeconds(5), "a waiting request",
                        () -> numWaiting(nc, "c") > 0);
                    nc.jetStream().publish("s.late", bytes("late"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            publisher.start();
            Message late = cc.next(Duration.ofSeconds(5));
            publisher.join();
            assertNotNull(late);
            assertEquals("late", text(late));
        }
    }

    @Test
    void consumeWithTheSimplifiedApi() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            stream(nc, "S", "s.>");
            nc.jetStreamManagement().addOrUpdateConsumer("S", ConsumerConfiguration.builder().durable("k")
                .ackPolicy(AckPolicy.Explicit).build());
            ConsumerContext cc = nc.getStreamContext("S").getConsumerContext("k");
            java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
            try (io.nats.client.MessageConsumer consumer = cc.consume(m -> {
                seen.add(text(m));
                m.ack();
            })) {
                publish(nc, "s.c", 0, 300);
                Poll.until(Duration.ofSeconds(10), "all consumed", () -> seen.size() == 300);
                consumer.stop();
            }
            Poll.until(Duration.ofSeconds(5), "all acknowledged", () -> ackFloor(nc, "k") == 300);
        }
    }

    private static int numWaiting(Connection nc, String consumer) {
        try {
            return (int) nc.jetStreamManagement().getConsumerInfo("S", consumer).getNumWaiting();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void noWaitAnswers404AndExpiresAnswers408() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            stream(nc, "S", "s.>");
            nc.jetStreamManagement().addOrUpdateConsumer("S", ConsumerConfiguration.builder().durable("c")
                .ackPolicy(AckPolicy.Explicit).build());
            Message none = nc.request("$JS.API.CONSUMER.MSG.NEXT.S.c", bytes("{\"batch\":1,\"no_wait\":true}"),
                Duration.ofSeconds(2));
            assertTrue(none.isStatusMessage());
            assertEquals(404, none.getStatus().getCode());
            assertEquals("No Messages", none.getStatus().getMessage());

            long start = System.nanoTime();
            Message timeout = nc.request("$JS.API.CONSUMER.MSG.NEXT.S.c",
                bytes("{\"batch\":3,\"expires\":300000000}"), Duration.ofSeconds(3));
            assertTrue(timeout.isStatusMessage());
            assertEquals(408, timeout.getStatus().getCode());
            assertEquals("Request Timeout", timeout.getStatus().getMessage());
            assertTrue(System.nanoTime() - start >= 250_000_000L, "answered when it expired");

            publish(nc, "s.a", 0, 2);
            // no_wait with some messages: those, then 408 as the batch cannot fill
            io.nats.client.Subscription inbox = nc.subscribe("my.inbox");
            nc.publish("$JS.API.CONSUMER.MSG.NEXT.S.c", "my.inbox", bytes("{\"batch\":5,\"no_wait\":true}"));
            assertEquals("m0", text(inbox.nextMessage(Duration.ofSeconds(2))));
            assertEquals("m1", text(inbox.nextMessage(Duration.ofSeconds(2))));
            Message end = inbox.nextMessage(Duration.ofSeconds(2));
            assertEquals(408, end.getStatus().getCode());
            assertEquals("3", end.getHeaders().getFirst("Nats-Pending-Messages"));

            // jnats' fetch ends with nothing when nothing comes
            JetStreamSubscription sub = nc.jetStream().subscribe(null, PullSubscribeOptions.bind("S", "c"));
            assertEquals(List.of(), sub.fetch(5, Duration.ofMillis(500)).stream()
                .filter(m -> m.metaData().deliveredCount() == 1).toList());
        }
    }

    @Test
    void redeliveryAfterAckWaitUpToMaxDeliver() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            stream(nc, "S", "s.>");
            publish(nc, "s.a", 0, 2);
            JetStreamManagement jsm = nc.jetStreamManagement();
            jsm.addOrUpdateConsumer("S", ConsumerConfiguration.builder().durable("r").ackPolicy(AckPolicy.Explicit)
                .ackWait(Duration.ofMillis(500)).maxDeliver(3).build());
            JetStreamSubscription sub = nc.jetStream().subscribe(null, PullSubscribeOptions.bind("S", "r"));
            List<Message> first = sub.fetch(2, Duration.ofSeconds(2));
            assertEquals(2, first.size());
            first.get(1).ack();

            long start = System.nanoTime();
            Message again = fetchOne(sub);
            assertTrue(System.nanoTime() - start >= 300_000_000L, "not before the ack wait");
            assertEquals("m0", text(again));
            assertEquals(2, again.metaData().deliveredCount());
            assertEquals(3, again.metaData().consumerSequence());
            assertEquals(1, jsm.getConsumerInfo("S", "r").getRedelivered());

            assertEquals(3, fetchOne(sub).metaData().deliveredCount());
            // delivered max_deliver times: given up, not delivered again
            assertEquals(List.of(), sub.fetch(1, Duration.ofMillis(1200)));
            ConsumerInfo info = jsm.getConsumerInfo("S", "r");
            assertEquals(0, info.getNumAckPending());
            assertEquals(2, info.getAckFloor().getStreamSequence());
        }
    }

    private static Message fetchOne(JetStreamSubscription sub) {
        List<Message> got = sub.fetch(1, Duration.ofSeconds(3));
        assertEquals(1, got.size());
        return got.get(0);
    }

    @Test
    void nakRedeliversAtOnceAndTermGivesUp() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            stream(nc, "S", "s.>");
            publish(nc, "s.a", 0, 3);
            nc.jetStreamManagement().addOrUpdateConsumer("S", ConsumerConfiguration.builder().durable("n")
                .ackPolicy(AckPolicy.Explicit).build());
            JetStreamSubscription sub = nc.jetStream().subscribe(null, PullSubscribeOptions.bind("S", "n"));
            List<Message> got = sub.fetch(3, Duration.ofSeconds(2));
            assertEquals(3, got.size());
            got.get(0).nak();
            got.get(1).term();
            got.get(2).inProgress();
            Message again = fetchOne(sub);
            assertEquals("m0", text(again));
            assertEquals(2, again.metaData().deliveredCount());
            again.ack();
            got.get(2).ackSync(Duration.ofSeconds(2));
            ConsumerInfo info = nc.jetStreamManagement().getConsumerInfo("S", "n");
            assertEquals(0, info.getNumAckPending());
            assertEquals(3, info.getAckFloor().getStreamSequence());
            assertEquals(0, info.getRedelivered());

            publish(nc, "s.a", 3, 4);
            Message delayed = fetchOne(sub);
            delayed.nakWithDelay(Duration.ofMillis(300));
            assertEquals(List.of(), sub.fetch(1, Duration.ofMillis(100)), "not before its delay");
            Message back = fetchOne(sub);
            assertEquals("m3", text(back));
            assertEquals(2, back.metaData().deliveredCount());
        }
    }

    @Test
    void maxAckPendingHoldsDeliveriesAndAckAllAcksEverythingBelow() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            stream(nc, "S", "s.>");
            publish(nc, "s.a", 0, 10);
            nc.jetStreamManagement().addOrUpdateConsumer("S", ConsumerConfiguration.builder().durable("p")
                .ackPolicy(AckPolicy.All).maxAckPending(4).build());
            JetStreamSubscription sub = nc.jetStream().subscribe(null, PullSubscribeOptions.bind("S", "p"));
            List<Message> got = sub.fetch(10, Duration.ofMillis(500));
            assertEquals(4, got.size(), "held at max_ack_pending");
            got.get(2).ack();
            ConsumerInfo info = nc.jetStreamManagement().getConsumerInfo("S", "p");
            assertEquals(3, info.getAckFloor().getStreamSequence());
            assertEquals(1, info.getNumAckPending());
            assertEquals(3, sub.fetch(10, Duration.ofMillis(500)).size());
        }
    }

    @Test
    void aDurableResumesAtItsAckFloorAfterARestart() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            stream(nc, "S", "s.>");
            publish(nc, "s.a", 0, 10);
            nc.jetStreamManagement().addOrUpdateConsumer("S", ConsumerConfiguration.builder().durable("dur")
                .ackPolicy(AckPolicy.Explicit).build());
            JetStreamSubscription sub = nc.jetStream().subscribe(null, PullSubscribeOptions.bind("S", "dur"));
            List<Message> got = sub.fetch(6, Duration.ofSeconds(2));
            assertEquals(6, got.size());
            for (int i = 0; i < 4; i++) {
                got.get(i).ackSync(Duration.ofSeconds(2));
            }
            // 5 and 6 delivered, not acknowledged
        }
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            ConsumerInfo info = nc.jetStreamManagement().getConsumerInfo("S", "dur");
            assertEquals(4, info.getAckFloor().getStreamSequence());
            assertEquals(6, info.getDelivered().getStreamSequence());
            assertEquals(2, info.getNumAckPending());
            JetStreamSubscription sub = nc.jetStream().subscribe(null, PullSubscribeOptions.bind("S", "dur"));
            List<Message> got = sub.fetch(10, Duration.ofSeconds(1));
            List<String> texts = got.stream().map(JetStreamPullIT::text).toList();
            assertEquals(List.of("m4", "m5", "m6", "m7", "m8", "m9"), texts);
            assertEquals(2, got.get(0).metaData().deliveredCount());
            for (Message m : got) {
                m.ackSync(Duration.ofSeconds(2));
            }
        }
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            ConsumerInfo info = nc.jetStreamManagement().getConsumerInfo("S", "dur");
            assertEquals(10, info.getAckFloor().getStreamSequence());
            assertEquals(0, info.getNumAckPending());
        }
    }

    @Test
    void replayOfAHundredThousandMessagesInOrder() throws Exception {
        int total = 100_000;
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            stream(nc, "BIG", "big.>");
            byte[] payload = new byte[64];
            List<java.util.concurrent.CompletableFuture<io.nats.client.api.PublishAck>> acks = new ArrayList<>();
            JetStream js = nc.jetStream();
            for (int i = 0; i < total; i++) {
                acks.add(js.publishAsync("big.x", payload));
                if (acks.size() == 5000) {
                    acks.forEach(java.util.concurrent.CompletableFuture::join);
                    acks.clear();
                }
            }
            acks.forEach(java.util.concurrent.CompletableFuture::join);
            nc.jetStreamManagement().addOrUpdateConsumer("BIG", ConsumerConfiguration.builder().durable("replay")
                .ackPolicy(AckPolicy.All).build());
            JetStreamSubscription sub = nc.jetStream().subscribe(null, PullSubscribeOptions.bind("BIG", "replay"));
            long expected = 1;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (expected <= total && System.nanoTime() < deadline) {
                List<Message> batch = sub.fetch(1000, Duration.ofSeconds(2));
                for (Message m : batch) {
                    assertEquals(expected, m.metaData().streamSequence(), "in order, none missing");
                    expected++;
                }
                if (!batch.isEmpty()) {
                    batch.get(batch.size() - 1).ack();
                }
            }
            assertEquals(total + 1, expected);
        }
    }
}
