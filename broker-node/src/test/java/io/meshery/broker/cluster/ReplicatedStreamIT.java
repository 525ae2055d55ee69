package io.meshery.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestCluster;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.Replica;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streams with three replicas on a three-node cluster (Raft groups of Apache Ratis over the cluster's link): the
 * stream info names a leader and two current replicas; what is published on any node is acknowledged once
 * committed and is on every replica; after the leader's node stops, another leads, publishing goes on with
 * contiguous sequences and no message acknowledged before is missing; changes go through the log to every replica.
 */
class ReplicatedStreamIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    @TempDir
    Path stores;
    private TestCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void anR3StreamKeepsEveryAcknowledgedMessageWhenItsLeaderGoes() throws Exception {
        cluster = TestCluster.startWithJetStream(3, stores);
        StreamInfo created;
        try (Connection nc = connect(0)) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            JetStreamApiException tooMany = assertThrows(JetStreamApiException.class, () -> jsm.addStream(
                StreamConfiguration.builder().name("BIG").subjects("big.>").replicas(5).build()));
            assertEquals(10005, tooMany.getApiErrorCode());
            created = jsm.addStream(StreamConfiguration.builder().name("ORDERS").subjects("orders.>")
                .storageType(StorageType.File).replicas(3).build());
        }
        assertEquals(3, created.getConfiguration().getReplicas());
        assertNotNull(created.getClusterInfo(), "stream info has a cluster block");
        assertEquals(cluster.name(), created.getClusterInfo().getName());
        String leader = created.getClusterInfo().getLeader();
        assertNotNull(leader, "a leader is named");
        assertEquals(2, created.getClusterInfo().getReplicas().size());
        Set<String> members = new HashSet<>();
        members.add(leader);
        created.getClusterInfo().getReplicas().forEach(r -> members.add(r.getName()));
        assertEquals(Set.of("node-1", "node-2", "node-3"), members);

        int leaderIndex = Integer.parseInt(leader.substring("node-".length())) - 1;
        int publisherNode = (leaderIndex + 1) % 3;
        try (Connection nc = connect(publisherNode)) {
            cluster.awaitRemoteInterest(publisherNode, "orders.x");
            var js = nc.jetStream();
            for (int i = 1; i <= 200; i++) {
                PublishAck ack = js.publish(msg(i));
                assertEquals("ORDERS", ack.getStream());
                assertEquals(i, ack.getSeqno());
                assertFalse(ack.isDuplicate());
            }
        }
        for (int n = 0; n < 3; n++) {
            int node = n;
            Poll.until(WAIT, "node " + (n + 1) + " holds 200 messages", () -> messages(node) == 200);
        }
        Poll.until(WAIT, "both followers current on the leader", () -> {
            StreamInfo info = info(leaderIndex);
            return info.getClusterInfo().getReplicas().stream().allMatch(Replica::isCurrent);
        });

        // the leader goes; the other two elect one of themselves and publishing goes on
        cluster.stop(leaderIndex);
        int survivor = publisherNode;
        try (Connection nc = connect(survivor)) {
            var js = nc.jetStream(io.nats.client.JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(2))
                .build());
            for (int i = 201; i <= 300; i++) {
                PublishAck ack = publishRetrying(js, msg(i));
                assertEquals(i, ack.getSeqno(), "sequences stay contiguous across the change of leader");
            }
            JetStreamManagement jsm = nc.jetStreamManagement();
            StreamInfo after = jsm.getStreamInfo("ORDERS");
            assertEquals(300, after.getStreamState().getMsgCount());
            String newLeader = after.getClusterInfo().getLeader();
            assertNotNull(newLeader);
            assertTrue(!newLeader.equals(leader), "another node leads: " + newLeader);
            for (long seq : new long[] {1, 150, 200, 201, 300}) {
                MessageInfo m = jsm.getMessage("ORDERS", seq);
                assertEquals("order " + seq, new String(m.getData(), StandardCharsets.UTF_8));
            }
            // a change goes through the log to both remaining replicas
            assertEquals(true, jsm.deleteMessage("ORDERS", 150));
        }
        int other = 3 - leaderIndex - survivor;
        Poll.until(WAIT, "the delete reaches the other replica", () -> messages(other) == 299);
    }

    private static NatsMessage msg(int i) {
        Headers h = new Headers().add("Nats-Msg-Id", "order-" + i);
        return NatsMessage.builder().subject("orders.x").headers(h)
            .data(("order " + i).getBytes(StandardCharsets.UTF_8)).build();
    }

    /** A publisher as users write one across a change of leader: the same message again until acknowledged. */
    private static PublishAck publishRetrying(io.nats.client.JetStream js, NatsMessage m) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return js.publish(m);
            } catch (java.io.IOException | JetStreamApiException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    private long messages(int node) {
        return info(node).getStreamState().getMsgCount();
    }

    private StreamInfo info(int node) {
        try (Connection nc = connect(node)) {
            return nc.jetStreamManagement().getStreamInfo("ORDERS");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Connection connect(int node) throws Exception {
        return Nats.connect(Options.builder().server(cluster.url(node)).build());
    }
}
