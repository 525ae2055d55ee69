package io.meshery.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshery.broker.testkit.BrokerProcess;
import io.meshery.broker.testkit.Monitoring;
import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestCluster;
import io.meshery.broker.testkit.Unshare;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk on one node of three, for real: node 3 runs in a mount namespace of the test's own with its store (its
 * replicas' Raft logs included) on an 8 MiB tmpfs. An R3 stream led by another node is fed 16 MiB: node 3's log fills
 * up and fails, the other two go on acknowledging, node 3 stays up and says so in its log, and every acknowledged
 * message is on the two healthy nodes with its payload. The namespace and its tmpfs go with the process.
 */
class ReplicatedStreamDiskFullIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    @TempDir
    Path stores;
    private final List<BrokerProcess> nodes = new ArrayList<>();
    private final int[] clusterPorts = Arrays.stream(TestCluster.freePorts(3)).sorted().toArray();
    private final int[] clientPorts = TestCluster.freePorts(3);
    private final int[] httpPorts = TestCluster.freePorts(3);

    @AfterEach
    void stop() {
        nodes.forEach(BrokerProcess::close);
    }

    @Test
    void aFullDiskOnOneReplicaStopsThatReplicaOnlyAndLosesNothingAcknowledged() throws Exception {
        assumeTrue(Unshare.allowed("true", "--user", "--map-root-user", "--mount"), "unshare --user --map-root-user --mount is not allowed here");
        String routes = Arrays.stream(clusterPorts).mapToObj(p -> "nats-route://127.0.0.1:" + p)
            .collect(Collectors.joining(","));
        for (int i = 0; i < 3; i++) {
            Path store = stores.resolve("node-" + (i + 1));
            Files.createDirectories(store);
            List<String> wrapper = i < 2 ? List.of() : List.of("unshare", "--user", "--map-root-user", "--mount",
                "sh", "-c", "mount -t tmpfs -o size=8m tmpfs '" + store + "' && exec \"$0\" \"$@\"");
            nodes.add(BrokerProcess.startWrapped(wrapper, List.of("-Xmx256m"), "-a", "127.0.0.1", "-p",
                Integer.toString(clientPorts[i]), "-m", Integer.toString(httpPorts[i]), "-n", "node-" + (i + 1),
                "--cluster", "nats://127.0.0.1:" + clusterPorts[i], "--routes", routes, "--cluster_name", "full",
                "-js", "-sd", store.toString()));
        }
        Poll.until(WAIT, "a cluster of 3", () -> routes(0) == 2 && routes(1) == 2 && routes(2) == 2);
        Map<Long, byte[]> acked = new LinkedHashMap<>();
        try (Connection nc = Nats.connect(Options.builder().server("nats://127.0.0.1:" + clientPorts[0]).build())) {
            JetStreamManagement jsm = nc.jetStreamManagement(JetStreamOptions.builder()
                .requestTimeout(Duration.ofSeconds(10)).build());
            String leader = jsm.addStream(StreamConfiguration.builder().name("BIG").subjects("big.>")
                .storageType(StorageType.File).replicas(3).build()).getClusterInfo().getLeader();
            for (int k = 0; k < 10 && "node-3".equals(leader); k++) { // the full disk on a follower
                nc.request("$JS.API.STREAM.LEADER.STEPDOWN.BIG", new byte[0], Duration.ofSeconds(10));
                String now = leader;
                leader = Poll.value(WAIT, "a new leader", () -> {
                    try {
                        String l = jsm.getStreamInfo("BIG").getClusterInfo().getLeader();
                        return l != null && !l.equals(now) ? l : null;
                    } catch (Exception e) {
                        return null;
                    }
                });
            }
            JetStream js = nc.jetStream(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(5)).build());
            for (int i = 0; i < 256; i++) { // 16 MiB: twice node 3's disk
                byte[] payload = new byte[64 * 1024];
                Arrays.fill(payload, (byte) i);
                PublishAck ack = publishRetrying(js, payload); // no responders while a new leader takes over
                acked.put(ack.getSeqno(), payload);
            }
        }
        assertEquals(256, acked.size(), "the two healthy replicas acknowledged everything");
        nodes.get(2).awaitLine(WAIT, l -> l.contains("Raft log failed"));
        assertTrue(nodes.get(2).process().isAlive(), "node 3 is up");
        assertEquals("ok", Monitoring.get(httpPorts[2], "/healthz").path("status").asText(), "node 3 serves");
        for (int n = 0; n < 2; n++) {
            int node = n;
            Poll.until(WAIT, "node " + (n + 1) + " holds all", () -> localMessages(node) == acked.size());
            try (Connection nc = Nats.connect(Options.builder().server("nats://127.0.0.1:" + clientPorts[n]).build())) {
                JetStreamManagement jsm = nc.jetStreamManagement();
                for (Map.Entry<Long, byte[]> e : acked.entrySet()) {
                    assertTrue(Arrays.equals(e.getValue(), jsm.getMessage("BIG", e.getKey()).getData()),
                        "message " + e.getKey() + " on node " + (n + 1));
                }
            }
        }
    }

    private static PublishAck publishRetrying(JetStream js, byte[] payload) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return js.publish("big.data", payload);
            } catch (java.io.IOException | io.nats.client.JetStreamApiException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Poll.pause();
            }
        }
    }

    private int routes(int node) {
        return Monitoring.routes(httpPorts[node]);
    }

    private long localMessages(int node) {
        try {
            for (JsonNode s : Monitoring.get(httpPorts[node], "/jsz?streams=1").path("account_details").path(0)
                    .path("stream_detail")) {
                if (s.path("name").asText().equals("BIG")) {
                    return s.path("state").path("messages").asLong();
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}
