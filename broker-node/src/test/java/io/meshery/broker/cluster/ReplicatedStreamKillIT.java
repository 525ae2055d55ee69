package io.meshery.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshery.broker.cluster.raft.RaftHost;
import io.meshery.broker.testkit.BrokerProcess;
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
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream with three replicas on three real processes, under kill -9, with a checker. A publisher publishes with
 * {@code Nats-Msg-Id} and publishes again what was not acknowledged (as a careful user does), through a connection
 * given every node. Faults: kill -9 of the stream's leader, restart of it (it catches up), kill -9 of a follower,
 * and kill -9 of all three at once followed by a restart of all three. At the end every acknowledged message is
 * in the stream at the sequence its PubAck gave, none is stored twice, and the sequences have no gap. The nodes take
 * a Raft snapshot every 64 entries, so restarts go back to a snapshot and apply the log after it.
 */
class ReplicatedStreamKillIT {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path stores;
    private final BrokerProcess[] nodes = new BrokerProcess[3];
    private final int[] clusterPorts = java.util.Arrays.stream(TestCluster.freePorts(3)).sorted().toArray();
    private final int[] clientPorts = TestCluster.freePorts(3);
    private final int[] httpPorts = TestCluster.freePorts(3);
    /** Message id -> the sequence its PubAck gave. */
    private final Map<String, Long> acked = new HashMap<>();
    private int next = 1;

    @AfterEach
    void killAll() {
        for (BrokerProcess p : nodes) {
            if (p != null) {
                p.close();
            }
        }
    }

    private void start(int i) throws IOException {
        String routes = java.util.Arrays.stream(clusterPorts).mapToObj(p -> "nats-route://127.0.0.1:" + p)
            .collect(Collectors.joining(","));
        // a snapshot every 64 entries: kills land during snapshots, and restarts go back to one and re-apply the rest
        nodes[i] = BrokerProcess.start(List.of("-Xmx256m", "-D" + RaftHost.SNAPSHOT_ENTRIES_PROPERTY + "=64"), "-a", "127.0.0.1", "-p", Integer.toString(clientPorts[i]),
            "-m", Integer.toString(httpPorts[i]), "-n", "node-" + (i + 1), "--cluster",
            "nats://127.0.0.1:" + clusterPorts[i], "--routes", routes, "--cluster_name", "kill",
            "-js", "-sd", stores.resolve("node-" + (i + 1)).toString());
    }

    private void kill(int i) throws InterruptedException {
        nodes[i].close(); // SIGKILL
        nodes[i] = null;
    }

    private JsonNode get(int node, String path) throws Exception {
        return Monitoring.get(httpPorts[node], path);
    }

    private int routes(int node) {
        return Monitoring.routes(httpPorts[node]);
    }


    /** What node {@code i}'s own replica holds (monitoring reads the local store). */
    private long localMessages(int node) {
        try {
            for (JsonNode s : get(node, "/jsz?streams=1").path("account_details").path(0).path("stream_detail")) {
                if (s.path("name").asText().equals("EVENTS")) {
                    return s.path("state").path("messages").asLong();
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    private Options clientOptions() {
        Options.Builder b = Options.builder().maxReconnects(-1).reconnectWait(Duration.ofMillis(100));
        for (int p : clientPorts) {
            b.server("nats://127.0.0.1:" + p);
        }
        return b.build();
    }

    @Test
    void noAcknowledgedMessageIsLostOrDoubledThroughKillsAndRestarts() throws Exception {
        for (int i = 0; i < 3; i++) {
            start(i);
        }
        Poll.until(START, "a cluster of 3", () -> routes(0) == 2 && routes(1) == 2 && routes(2) == 2);
        int faults = 0;
        try (Connection nc = Nats.connect(clientOptions())) {
            JetStreamManagement jsm = nc.jetStreamManagement(JetStreamOptions.builder()
                .requestTimeout(Duration.ofSeconds(10)).build());
            StreamInfo created = jsm.addStream(StreamConfiguration.builder().name("EVENTS").subjects("events.>")
                .storageType(StorageType.File).replicas(3).build());
            JetStream js = nc.jetStream(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(2)).build());
            publish(js, 300);

            // 1. kill -9 the leader; the publisher goes on through the others
            int leader = nodeOf(created.getClusterInfo().getLeader());
            kill(leader);
            faults++;
            long killedAt = System.nanoTime();
            publish(js, 1);
            long failoverMs = (System.nanoTime() - killedAt) / 1_000_000;
            System.out.println("replicated stream failover: first PubAck " + failoverMs + " ms after kill -9 of the leader");
            assertTrue(failoverMs < 15_000, "a new leader acknowledges within 15 s, took " + failoverMs + " ms");
            publish(js, 199);

            // 2. the killed node comes back and catches up
            start(leader);
            faults++;
            long total = acked.size();
            Poll.until(WAIT, "the restarted node holds all " + total, () -> localMessages(leader) == total);

            // 3. kill -9 a follower
            String nowLeader = jsm.getStreamInfo("EVENTS").getClusterInfo().getLeader();
            int follower = (nodeOf(nowLeader) + 1) % 3;
            kill(follower);
            faults++;
            publish(js, 100);
            start(follower);
            faults++;
            long total2 = acked.size();
            Poll.until(WAIT, "the follower catches up to " + total2, () -> localMessages(follower) == total2);
        }

        // 4. kill -9 all three at once, start all three
        for (int i = 0; i < 3; i++) {
            kill(i);
        }
        faults++;
        for (int i = 0; i < 3; i++) {
            start(i);
        }
        try {
            Poll.until(Duration.ofSeconds(120), "a cluster of 3 again",
                () -> routes(0) == 2 && routes(1) == 2 && routes(2) == 2);
        } catch (AssertionError e) {
            StringBuilder logs = new StringBuilder(e.getMessage());
            for (int i = 0; i < 3; i++) {
                List<String> lines = nodes[i].stderr();
                logs.append("\n--- node-").append(i + 1).append(":\n")
                    .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
            }
            throw new AssertionError(logs.toString(), e);
        }
        try (Connection nc = Nats.connect(clientOptions())) {
            JetStream js = nc.jetStream(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(2)).build());
            publish(js, 50);
            check(nc.jetStreamManagement());
        }
        System.out.println("replicated stream checker: " + faults + " faults, " + acked.size()
            + " acknowledged messages checked");
        for (int i = 0; i < 3; i++) {
            Path manifest = stores.resolve("node-" + (i + 1)).resolve("raft")
                .resolve(RaftHost.groupId("EVENTS").getUuid().toString()).resolve("sm").resolve("snapshot.json");
            assertTrue(java.nio.file.Files.exists(manifest), "node " + (i + 1) + " took snapshots: " + manifest);
        }
    }

    private int nodeOf(String serverName) {
        assertNotNull(serverName, "the stream has a leader");
        return Integer.parseInt(serverName.substring("node-".length())) - 1;
    }

    /** Publishes {@code n} new messages, each again until acknowledged; records each PubAck. */
    private void publish(JetStream js, int n) throws Exception {
        for (int k = 0; k < n; k++) {
            String id = "e-" + next++;
            NatsMessage m = NatsMessage.builder().subject("events.x").headers(new Headers().add("Nats-Msg-Id", id))
                .data(id.getBytes(java.nio.charset.StandardCharsets.UTF_8)).build();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                try {
                    PublishAck ack = js.publish(m);
                    acked.put(id, ack.getSeqno());
                    break;
                } catch (IOException | JetStreamApiException | IllegalStateException e) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("message " + id + " not acknowledged within " + WAIT, e);
                    }
                }
            }
        }
    }

    /** Every acknowledged message at its sequence, none twice, no gap. */
    private void check(JetStreamManagement jsm) throws Exception {
        StreamInfo info = Poll.value(WAIT, "stream info", () -> {
            try {
                return jsm.getStreamInfo("EVENTS");
            } catch (Exception e) {
                return null;
            }
        });
        long last = info.getStreamState().getLastSequence();
        assertEquals(acked.size(), info.getStreamState().getMsgCount(), "one stored message per acknowledged id");
        assertEquals(last, info.getStreamState().getMsgCount(), "no gap in the sequences");
        Map<String, Long> stored = new HashMap<>();
        for (long seq = 1; seq <= last; seq++) {
            MessageInfo m = jsm.getMessage("EVENTS", seq);
            String id = m.getHeaders().getFirst("Nats-Msg-Id");
            Long before = stored.put(id, seq);
            assertEquals(null, before, "id " + id + " stored twice, at " + before + " and " + seq);
        }
        for (Map.Entry<String, Long> e : acked.entrySet()) {
            assertEquals(e.getValue(), stored.get(e.getKey()), "acknowledged " + e.getKey() + " at its sequence");
        }
    }
}
