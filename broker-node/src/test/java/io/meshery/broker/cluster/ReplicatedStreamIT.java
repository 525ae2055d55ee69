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
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
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
            JetStreamManagement jsm = management(nc);
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

        var jsz = io.meshery.broker.testkit.Monitoring.get(cluster.node(0).httpPort(), "/jsz");
        assertEquals(cluster.name(), jsz.path("meta_cluster").path("name").asText(), jsz.toString());
        assertEquals(3, jsz.path("meta_cluster").path("cluster_size").asInt(), jsz.toString());
        assertEquals(1, jsz.path("ha_assets").asInt(), jsz.toString());

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

        anEphemeralConsumerOfAnInterestStreamOutlivesItsLeader(publisherNode);

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
            JetStreamManagement jsm = management(nc);
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

    @Test
    void aDurableConsumerGoesOnFromItsAckFloorThroughAnotherNodeAfterTheLeaderGoes() throws Exception {
        cluster = TestCluster.startWithJetStream(3, stores, b -> b.maxPayload(8 << 20));
        aMessageOfMaxPayloadReachesEveryReplica();
        String leader;
        try (Connection nc = connect(0)) {
            leader = management(nc).addStream(StreamConfiguration.builder().name("ORDERS")
                .subjects("orders.>").storageType(StorageType.File).replicas(3).build()).getClusterInfo().getLeader();
        }
        int leaderIndex = Integer.parseInt(leader.substring("node-".length())) - 1;
        int follower = (leaderIndex + 1) % 3;
        int other = (leaderIndex + 2) % 3;
        try (Connection nc = connect(follower)) {
            cluster.awaitRemoteInterest(follower, "orders.x");
            JetStreamManagement jsm = management(nc);
            // created through a node that does not lead: the leader runs it, every replica keeps its files
            jsm.addOrUpdateConsumer("ORDERS", ConsumerConfiguration.builder().durable("worker")
                .ackPolicy(AckPolicy.Explicit).build());
            var js = nc.jetStream();
            for (int i = 1; i <= 100; i++) {
                js.publish(msg(i));
            }
            JetStreamSubscription sub = js.subscribe(null, PullSubscribeOptions.bind("ORDERS", "worker"));
            int acked = 0;
            while (acked < 40) {
                for (Message m : sub.fetch(40 - acked, Duration.ofSeconds(5))) {
                    assertEquals(acked + 1, m.metaData().streamSequence());
                    m.ackSync(Duration.ofSeconds(5));
                    acked++;
                }
            }
            assertEquals(40, jsm.getConsumerInfo("ORDERS", "worker").getAckFloor().getStreamSequence());
        }
        // work-queue retention: what a consumer acknowledged leaves every replica (the deletes go through the log)
        try (Connection nc = connect(other)) {
            JetStreamManagement jsm = management(nc);
            jsm.addStream(StreamConfiguration.builder().name("JOBS").subjects("jobs.>").replicas(3)
                .retentionPolicy(io.nats.client.api.RetentionPolicy.WorkQueue).storageType(StorageType.File).build());
            jsm.addOrUpdateConsumer("JOBS", ConsumerConfiguration.builder().durable("doer")
                .ackPolicy(AckPolicy.Explicit).build());
            var js = nc.jetStream();
            for (int i = 0; i < 20; i++) {
                js.publish("jobs.x", new byte[] {(byte) i});
            }
            JetStreamSubscription jobs = js.subscribe(null, PullSubscribeOptions.bind("JOBS", "doer"));
            int done = 0;
            while (done < 20) {
                for (Message m : jobs.fetch(20 - done, Duration.ofSeconds(5))) {
                    m.ackSync(Duration.ofSeconds(5));
                    done++;
                }
            }
            for (int n = 0; n < 3; n++) {
                int node = n;
                Poll.until(WAIT, "node " + (n + 1) + " dropped the done jobs", () -> localMessages(node, "JOBS") == 0);
            }
        }

        // the ack floor reaches the followers' disks through the log
        for (int n : new int[] {follower, other}) {
            awaitAckFloorOnDisk(n, "ORDERS", "worker", 40);
        }
        cluster.stop(leaderIndex);
        try (Connection nc = connect(other)) {
            var js = nc.jetStream();
            fetchInOrder(js, "ORDERS", "worker", 41, 100);

            // the consumer's leader is the stream's: a consumer step-down moves both to the other node
            JetStreamManagement jsm = management(nc);
            String before = jsm.getStreamInfo("ORDERS").getClusterInfo().getLeader();
            String answer = new String(nc.request("$JS.API.CONSUMER.LEADER.STEPDOWN.ORDERS.worker", new byte[0],
                Duration.ofSeconds(10)).getData(), StandardCharsets.UTF_8);
            assertTrue(answer.contains("\"success\":true"), answer);
            assertTrue(answer.contains("consumer_leader_stepdown_response"), answer);
            Poll.until(WAIT, "a new leader after the step-down", () -> {
                try {
                    String now = jsm.getStreamInfo("ORDERS").getClusterInfo().getLeader();
                    return now != null && !now.equals(before);
                } catch (Exception e) {
                    return false;
                }
            });
            String missing = new String(nc.request("$JS.API.CONSUMER.LEADER.STEPDOWN.ORDERS.nobody", new byte[0],
                Duration.ofSeconds(10)).getData(), StandardCharsets.UTF_8);
            assertTrue(missing.contains("10014"), missing);
        }
    }

    /**
     * A message as large as the nodes' {@code max_payload} (8 MiB here; Meshery's seed configuration has 10 MB) is one
     * log entry larger than Ratis's default buffers: the appends, the log's buffer and Artery's frames are sized from
     * {@code max_payload}, so it is acknowledged and reaches every replica, and the stream goes on.
     */
    private void aMessageOfMaxPayloadReachesEveryReplica() throws Exception {
        byte[] big = new byte[8 << 20];
        java.util.Arrays.fill(big, (byte) 'b');
        big[big.length - 1] = 'e';
        try (Connection nc = connect(0)) {
            JetStreamManagement jsm = management(nc);
            String leader = jsm.addStream(StreamConfiguration.builder().name("LARGE").subjects("large.>").replicas(3)
                .storageType(StorageType.File).build()).getClusterInfo().getLeader();
            var js = nc.jetStream(io.nats.client.JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(20))
                .build());
            assertEquals(1, js.publish("large.x", big).getSeqno());
            assertEquals(2, js.publish("large.x", new byte[] {1}).getSeqno());
            for (int n = 0; n < 3; n++) {
                int node = n;
                Poll.until(WAIT, "node " + (n + 1) + " holds both", () -> localMessages(node, "LARGE") == 2);
            }
            // read through a node that does not lead: the leader's answer (the message in base64) crosses too
            int notLeader = (Integer.parseInt(leader.substring("node-".length())) % 3);
            try (Connection other = connect(notLeader)) {
                assertTrue(java.util.Arrays.equals(big, management(other).getMessage("LARGE", 1).getData()),
                    "the large one whole");
            }
            jsm.deleteStream("LARGE");
        }
    }

    /**
     * On a stream with interest retention an ephemeral consumer's acks decide what the stream keeps, so it is
     * replicated like a durable one (as nats-server does): after a step-down the new leader runs it from its ack
     * floor.
     */
    private void anEphemeralConsumerOfAnInterestStreamOutlivesItsLeader(int via) throws Exception {
        try (Connection nc = connect(via)) {
            JetStreamManagement jsm = management(nc);
            String leader = jsm.addStream(StreamConfiguration.builder().name("TASKS").subjects("tasks.>").replicas(3)
                .retentionPolicy(io.nats.client.api.RetentionPolicy.Interest).storageType(StorageType.File).build())
                .getClusterInfo().getLeader();
            String name = jsm.addOrUpdateConsumer("TASKS", ConsumerConfiguration.builder()
                .ackPolicy(AckPolicy.Explicit).inactiveThreshold(Duration.ofMinutes(5)).build()).getName();
            var js = nc.jetStream();
            for (int i = 1; i <= 10; i++) {
                js.publish("tasks.x", new byte[] {(byte) i});
            }
            JetStreamSubscription sub = js.subscribe(null, PullSubscribeOptions.bind("TASKS", name));
            int acked = 0;
            while (acked < 4) {
                for (Message m : sub.fetch(4 - acked, Duration.ofSeconds(5))) {
                    m.ackSync(Duration.ofSeconds(5));
                    acked++;
                }
            }
            sub.unsubscribe();
            for (int n = 0; n < 3; n++) {
                awaitAckFloorOnDisk(n, "TASKS", name, 4);
            }
            nc.request("$JS.API.STREAM.LEADER.STEPDOWN.TASKS", new byte[0], Duration.ofSeconds(10));
            Poll.until(WAIT, "another node leads TASKS", () -> {
                try {
                    String now = jsm.getStreamInfo("TASKS").getClusterInfo().getLeader();
                    return now != null && !now.equals(leader);
                } catch (Exception e) {
                    return false;
                }
            });
            fetchInOrder(js, "TASKS", name, 5, 10);
            jsm.deleteStream("TASKS");
        }
    }

    /** Waits until node {@code node}'s copy of the consumer's state on disk has the ack floor {@code floor}. */
    private void awaitAckFloorOnDisk(int node, String stream, String consumer, long floor) {
        Path state = stores.resolve("node-" + (node + 1)).resolve("streams").resolve(stream).resolve("consumers")
            .resolve(consumer).resolve("state.json");
        Poll.until(WAIT, "node " + (node + 1) + " has " + consumer + "'s ack floor " + floor, () -> {
            try {
                return java.nio.file.Files.exists(state) && new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(state.toFile()).path("ack_floor").path("stream_seq").asLong() == floor;
            } catch (java.io.IOException e) {
                return false;
            }
        });
    }

    /**
     * Binds to {@code consumer} (again until its leader has it) and fetches exactly stream sequences {@code from} to
     * {@code to}, in order, acknowledging each.
     */
    private static void fetchInOrder(io.nats.client.JetStream js, String stream, String consumer, long from, long to) {
        JetStreamSubscription sub = Poll.value(WAIT, "consumer " + consumer + " on its leader", () -> {
            try {
                return js.subscribe(null, PullSubscribeOptions.bind(stream, consumer));
            } catch (Exception e) {
                return null;
            }
        });
        long expected = from;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (expected <= to && System.nanoTime() < deadline) {
            for (Message m : sub.fetch((int) (to + 1 - expected), Duration.ofSeconds(2))) {
                assertEquals(expected, m.metaData().streamSequence(), "the next unacknowledged message");
                try {
                    m.ackSync(Duration.ofSeconds(5));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                expected++;
            }
        }
        assertEquals(to + 1, expected, "messages " + from + ".." + to + " of " + stream);
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

    /** What node {@code node}'s own replica of {@code stream} holds (monitoring reads the local store). */
    private long localMessages(int node, String stream) {
        try {
            var jsz = io.meshery.broker.testkit.Monitoring.get(cluster.node(node).httpPort(), "/jsz?streams=1");
            for (var s : jsz.path("account_details").path(0).path("stream_detail")) {
                if (s.path("name").asText().equals(stream)) {
                    return s.path("state").path("messages").asLong();
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
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

    /** API requests that wait up to 10 s: creating a stream's group includes electing its leader. */
    private static JetStreamManagement management(Connection nc) throws java.io.IOException {
        return nc.jetStreamManagement(io.nats.client.JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(10))
            .build());
    }
}
