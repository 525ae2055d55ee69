package io.meshery.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.TestCluster;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JetStream on the nodes of a cluster before streams are replicated: a stream lives on the node it was created on,
 * and what clients publish on any node reaches it (its capture is interest the other nodes forward to), with the
 * PubAck back across nodes; a pull request and its acknowledgement from a client on another node reach the
 * consumer. docs/cluster.md says what is not there yet.
 */
class ClusterJetStreamIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    @TempDir
    static Path stores;
    private static TestCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.startWithJetStream(3, stores);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aStreamOnOneNodeStoresWhatIsPublishedOnAnotherAndServesItsConsumerThere() throws Exception {
        try (Connection home = Nats.connect(Options.builder().server(cluster.url(1)).build());
             Connection away = Nats.connect(Options.builder().server(cluster.url(0)).build())) {
            JetStreamManagement jsm = home.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("ORDERS").subjects("orders.>")
                .storageType(StorageType.File).build());
            cluster.awaitRemoteInterest(0, "orders.created");
            JetStream js = away.jetStream();
            for (int i = 1; i <= 50; i++) {
                PublishAck ack = js.publish("orders.created", ("order " + i).getBytes(StandardCharsets.UTF_8));
                assertEquals("ORDERS", ack.getStream());
                assertEquals(i, ack.getSeqno());
            }
            assertEquals(50, jsm.getStreamInfo("ORDERS").getStreamState().getMsgCount());

            jsm.addOrUpdateConsumer("ORDERS", ConsumerConfiguration.builder().durable("billing")
                .ackPolicy(AckPolicy.Explicit).build());
            cluster.awaitRemoteInterest(0, "$JS.API.CONSUMER.MSG.NEXT.ORDERS.billing");
            // a pull request as the clients send it: from an inbox the delivered message comes back to
            io.nats.client.Subscription inbox = away.subscribe("_INBOX.pull");
            away.flush(WAIT);
            cluster.awaitRemoteInterest(1, "_INBOX.pull");
            away.publish("$JS.API.CONSUMER.MSG.NEXT.ORDERS.billing", "_INBOX.pull",
                "{\"batch\":1}".getBytes(StandardCharsets.UTF_8));
            Message m = inbox.nextMessage(WAIT);
            assertNotNull(m, "the pull request reached the consumer on the other node");
            assertEquals("orders.created", m.getSubject());
            assertEquals("order 1", new String(m.getData(), StandardCharsets.UTF_8));
            assertTrue(m.getReplyTo().startsWith("$JS.ACK.ORDERS.billing."), m.getReplyTo());
            Message confirmed = away.request(m.getReplyTo(), "+ACK".getBytes(StandardCharsets.UTF_8), WAIT);
            assertNotNull(confirmed, "the ack, sent from the other node, was confirmed by the consumer");
            assertEquals(1, jsm.getConsumerInfo("ORDERS", "billing").getAckFloor().getStreamSequence());
        }
    }
}
