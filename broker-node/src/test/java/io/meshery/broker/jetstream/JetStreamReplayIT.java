package io.meshery.broker.jetstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.meshery.broker.testkit.TestBroker;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay at scale with jnats: a file stream of 1,000,000 messages read back in order, none missing, by a durable
 * pull consumer in batches of 500 with an acknowledgement for each message, and by an ordered push consumer.
 * Rates are printed, not asserted (benchmarks: docs/performance.md).
 */
class JetStreamReplayIT {

    private static final int TOTAL = 1_000_000;

    @TempDir
    Path dir;

    @Test
    void aMillionMessagesReplayedInOrderByPullAndByTheOrderedPushConsumer() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir);
             Connection nc = Nats.connect(Options.builder().server(broker.url()).maxMessagesInOutgoingQueue(200_000)
                 .build())) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("BIG").subjects("big.>").storageType(StorageType.File)
                .build());
            JetStream js = nc.jetStream();
            byte[] payload = new byte[64];
            List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
            for (int i = 0; i < TOTAL; i++) {
                acks.add(js.publishAsync("big.x", payload));
                if (acks.size() == 10_000) {
                    acks.forEach(CompletableFuture::join);
                    acks.clear();
                }
            }
            acks.forEach(CompletableFuture::join);
            assertEquals(TOTAL, jsm.getStreamInfo("BIG").getStreamState().getMsgCount());

            jsm.addOrUpdateConsumer("BIG", ConsumerConfiguration.builder().durable("replay")
                .ackPolicy(AckPolicy.Explicit).maxAckPending(20_000).build());
            JetStreamSubscription pull = js.subscribe(null, PullSubscribeOptions.bind("BIG", "replay"));
            long t0 = System.nanoTime();
            long expected = 1;
            long deadline = t0 + Duration.ofSeconds(120).toNanos();
            while (expected <= TOTAL && System.nanoTime() < deadline) {
                for (Message m : pull.fetch(500, Duration.ofSeconds(2))) {
                    assertEquals(expected, m.metaData().streamSequence(), "pull: in order, none missing");
                    m.ack();
                    expected++;
                }
            }
            assertEquals(TOTAL + 1, expected, "pull: every message");
            double pullRate = TOTAL / ((System.nanoTime() - t0) / 1e9);
            nc.flush(Duration.ofSeconds(10));
            assertEquals(TOTAL, jsm.getConsumerInfo("BIG", "replay").getAckFloor().getStreamSequence(),
                "every acknowledgement counted");

            t0 = System.nanoTime();
            JetStreamSubscription ordered = js.subscribe("big.>", PushSubscribeOptions.builder().ordered(true).build());
            for (long seq = 1; seq <= TOTAL; seq++) {
                Message m = ordered.nextMessage(Duration.ofSeconds(10));
                assertNotNull(m, "ordered push: message " + seq);
                assertEquals(seq, m.metaData().streamSequence(), "ordered push: in order, none missing");
            }
            double pushRate = TOTAL / ((System.nanoTime() - t0) / 1e9);
            System.out.printf("replay of %,d messages: pull (batch 500, acks) %,.0f msg/s, ordered push %,.0f msg/s%n",
                TOTAL, pullRate, pushRate);
        }
    }
}
