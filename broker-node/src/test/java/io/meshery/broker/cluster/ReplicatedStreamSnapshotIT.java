package io.meshery.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshery.broker.cluster.raft.RaftHost;
import io.meshery.broker.testkit.Monitoring;
import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestCluster;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Raft snapshots of a replicated stream: every replica takes them (here every 32 entries) and its log is cut up to
 * them; a follower that was down while the leader's log was cut past its position catches up from the leader's
 * snapshot (the entries it missed are gone), holds every message with its payload, leads and counts in the quorum
 * again; a replica restarted from its own snapshot holds what it held.
 */
class ReplicatedStreamSnapshotIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BIG = 64 * 1024;
    @TempDir
    Path stores;
    private TestCluster cluster;

    @BeforeEach
    void snapshotOften() {
        System.setProperty(RaftHost.SNAPSHOT_ENTRIES_PROPERTY, "32");
    }

    @AfterEach
    void stopCluster() {
        System.clearProperty(RaftHost.SNAPSHOT_ENTRIES_PROPERTY);
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aFollowerBehindTheLeadersCutCatchesUpFromItsSnapshot() throws Exception {
        cluster = TestCluster.startWithJetStream(3, stores);
        String leader;
        try (Connection nc = connect(0)) {
            leader = management(nc).addStream(StreamConfiguration.builder().name("SNAP").subjects("snap.>")
                .storageType(StorageType.File).replicas(3).build()).getClusterInfo().getLeader();
        }
        int leaderIndex = index(leader);
        int behind = (leaderIndex + 1) % 3;

        try (Connection nc = connect(leaderIndex)) {
            JetStream js = nc.jetStream();
            for (int i = 1; i <= 100; i++) {
                assertEquals(i, js.publish(msg(i, 100)).getSeqno());
            }
        }
        for (int n = 0; n < 3; n++) {
            int node = n;
            Poll.until(WAIT, "node " + (n + 1) + " took a snapshot", () -> snapshotIndex(node) > 0);
        }

        // one follower stops; the others go on past a whole log segment (16 MB), so the leader cuts its log past
        // the follower's position
        long snapshotBefore = snapshotIndex(behind);
        cluster.stop(behind);
        try (Connection nc = connect(leaderIndex)) {
            JetStream js = nc.jetStream(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(10)).build());
            for (int i = 101; i <= 400; i++) {
                assertEquals(i, js.publish(msg(i, BIG)).getSeqno());
            }
        }
        Poll.until(WAIT, "the leader's log cut past the stopped follower", () -> firstLogIndex(leaderIndex)
            > snapshotBefore + 1);

        cluster.startNode(behind);
        cluster.awaitFormed();
        Poll.until(WAIT, "the restarted follower holds 400 messages", () -> localState(behind, "messages") == 400);
        assertEquals(400, localState(behind, "last_seq"));
        assertTrue(snapshotIndex(behind) > firstLogIndex(leaderIndex) - 1,
            "its snapshot is the leader's, past the cut: " + snapshotIndex(behind));

        // it leads: what it serves is what was published
        try (Connection nc = connect(behind)) {
            Poll.until(WAIT, "the caught-up node leads", () -> {
                try {
                    if (leaderOf(nc).equals("node-" + (behind + 1))) {
                        return true;
                    }
                    nc.request("$JS.API.STREAM.LEADER.STEPDOWN.SNAP", new byte[0], Duration.ofSeconds(10));
                } catch (IOException | JetStreamApiException e) {
                    // no leader for a moment: asked again
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return false;
            });
            JetStreamManagement jsm = management(nc);
            for (long seq : new long[] {1, 100, 101, 250, 400}) {
                assertArrayEquals(payload((int) seq, seq <= 100 ? 100 : BIG), jsm.getMessage("SNAP", seq).getData());
            }
            assertEquals(400, jsm.getStreamInfo("SNAP").getStreamState().getMsgCount());
        }

        // it counts in the quorum: with another node gone, the two left acknowledge
        int gone = (behind + 1) % 3;
        int survivor = 3 - behind - gone;
        cluster.stop(gone);
        try (Connection nc = connect(behind)) {
            JetStream js = nc.jetStream(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(2)).build());
            for (int i = 401; i <= 410; i++) {
                assertEquals(i, publishRetrying(js, msg(i, 100)).getSeqno());
            }
        }
        Poll.until(WAIT, "the other replica holds 410", () -> localState(survivor, "messages") == 410);

        // a replica restarted from its own snapshot holds what it held, and goes on
        cluster.stop(survivor);
        cluster.startNode(survivor);
        Poll.until(WAIT, "the replica restarted from its snapshot holds 410 messages",
            () -> localState(survivor, "messages") == 410 && localState(survivor, "last_seq") == 410);
        try (Connection nc = connect(survivor)) {
            JetStream js = nc.jetStream(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(2)).build());
            assertEquals(411, publishRetrying(js, msg(411, 100)).getSeqno());
        }
    }

    private static int index(String serverName) {
        return Integer.parseInt(serverName.substring("node-".length())) - 1;
    }

    private String leaderOf(Connection nc) throws IOException, JetStreamApiException {
        String l = management(nc).getStreamInfo("SNAP").getClusterInfo().getLeader();
        return l == null ? "" : l;
    }

    private Path groupDir(int node) {
        return stores.resolve("node-" + (node + 1)).resolve("raft")
            .resolve(RaftHost.groupId("SNAP").getUuid().toString());
    }

    /** The log index of node {@code node}'s snapshot of the stream, or 0. */
    private long snapshotIndex(int node) {
        Path manifest = groupDir(node).resolve("sm").resolve("snapshot.json");
        try {
            return Files.exists(manifest) ? JSON.readTree(manifest.toFile()).path("index").asLong() : 0;
        } catch (IOException e) {
            return 0; // being replaced
        }
    }

    /** The first index in node {@code node}'s Raft log of the stream (its segment files are named by index). */
    private long firstLogIndex(int node) {
        try (Stream<Path> files = Files.list(groupDir(node).resolve("current"))) {
            List<Long> starts = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("log_"))
                .map(n -> n.startsWith("log_inprogress_") ? n.substring("log_inprogress_".length())
                    : n.substring(4, n.indexOf('-')))
                .map(Long::parseLong).toList();
            return starts.stream().mapToLong(Long::longValue).min().orElse(0);
        } catch (IOException e) {
            return 0;
        }
    }

    /** A field of the state of node {@code node}'s own replica (monitoring reads the local store), or -1. */
    private long localState(int node, String field) {
        try {
            JsonNode jsz = Monitoring.get(cluster.node(node).httpPort(), "/jsz?streams=1");
            for (JsonNode s : jsz.path("account_details").path(0).path("stream_detail")) {
                if (s.path("name").asText().equals("SNAP")) {
                    return s.path("state").path(field).asLong();
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    private static byte[] payload(int i, int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) ('a' + i % 26));
        byte[] tag = ("#" + i + "#").getBytes(StandardCharsets.UTF_8);
        System.arraycopy(tag, 0, b, 0, tag.length);
        return b;
    }

    private static NatsMessage msg(int i, int size) {
        return NatsMessage.builder().subject("snap.x").headers(new Headers().add("Nats-Msg-Id", "m-" + i))
            .data(payload(i, size)).build();
    }

    private static PublishAck publishRetrying(JetStream js, NatsMessage m) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return js.publish(m);
            } catch (IOException | JetStreamApiException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    private Connection connect(int node) throws Exception {
        return Nats.connect(Options.builder().server(cluster.url(node)).build());
    }

    private static JetStreamManagement management(Connection nc) throws IOException {
        return nc.jetStreamManagement(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(10)).build());
    }
}
