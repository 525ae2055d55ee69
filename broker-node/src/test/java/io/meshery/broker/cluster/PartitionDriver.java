package io.meshery.broker.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshery.broker.testkit.BrokerProcess;
import io.meshery.broker.testkit.Monitoring;
import io.meshery.broker.testkit.Poll;
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
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The partition scenario of {@link ReplicatedStreamPartitionIT}, run inside a network namespace of the test's own
 * (only loopback; three nodes on 127.0.0.11-13, each node's connections to the others from its own address), so
 * that policy-routing rules can cut one node off from the other two and nothing outside is touched. Prints
 * {@code RESULT ...} lines and exits 0 when every check held.
 *
 * <p>Scenario: an R3 stream; publishing with {@code Nats-Msg-Id}; the stream's leader cut off from the other two
 * (its clients still reach it); a publish through the cut-off node gets no PubAck; the other two elect a leader
 * and acknowledge; the cut is healed and the cut-off node (downed by the split brain resolver, so restarted, as
 * Kubernetes would) catches up; every acknowledged message is in the stream once, the unacknowledged one is not.
 */
public final class PartitionDriver {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String[] IPS = {"127.0.0.11", "127.0.0.12", "127.0.0.13"};
    private static final BrokerProcess[] NODES = new BrokerProcess[3];
    private static Path stores;

    private PartitionDriver() {
    }

    public static void main(String[] args) throws Exception {
        stores = Path.of(args[0]);
        int code = 1;
        try {
            run();
            code = 0;
        } catch (Throwable t) {
            System.out.println("RESULT failed: " + t);
            t.printStackTrace(System.out);
            for (int i = 0; i < 3; i++) {
                if (NODES[i] != null) {
                    System.out.println("--- node-" + (i + 1) + " stderr (last 30 lines)");
                    List<String> lines = NODES[i].stderr();
                    lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(System.out::println);
                }
            }
        } finally {
            for (BrokerProcess p : NODES) {
                if (p != null) {
                    p.close();
                }
            }
        }
        System.exit(code);
    }

    private static void start(int i) throws IOException {
        StringBuilder routes = new StringBuilder();
        for (String ip : IPS) {
            routes.append(routes.length() == 0 ? "" : ",").append("nats-route://").append(ip).append(":6222");
        }
        NODES[i] = BrokerProcess.start(List.of("-Xmx256m"), "-a", IPS[i], "-p", "4222", "-m", "8222",
            "-n", "node-" + (i + 1), "--cluster", "nats://" + IPS[i] + ":6222", "--routes", routes.toString(),
            "--cluster_name", "partition", "-js", "-sd", stores.resolve("node-" + (i + 1)).toString());
    }

    private static int routes(int i) {
        try {
            return Monitoring.get(IPS[i], 8222, "/routez").get("num_routes").asInt();
        } catch (Exception e) {
            return -1;
        }
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("failed: " + cmd);
        }
    }

    /** Node {@code i} and the other two stop reaching each other; clients still reach every node. */
    private static void cut(int i) throws IOException, InterruptedException {
        ip("rule", "add", "pref", "100", "lookup", "local");
        ip("rule", "del", "pref", "0");
        int pref = 10;
        for (int j = 0; j < 3; j++) {
            if (j != i) {
                ip("rule", "add", "pref", Integer.toString(pref++), "from", IPS[i], "to", IPS[j], "blackhole");
                ip("rule", "add", "pref", Integer.toString(pref++), "from", IPS[j], "to", IPS[i], "blackhole");
            }
        }
    }

    private static void heal() throws IOException, InterruptedException {
        for (int pref = 10; pref < 14; pref++) {
            ip("rule", "del", "pref", Integer.toString(pref));
        }
    }

    private static Options options(int... nodes) {
        Options.Builder b = Options.builder().maxReconnects(-1).reconnectWait(Duration.ofMillis(100));
        for (int n : nodes) {
            b.server("nats://" + IPS[n] + ":4222");
        }
        return b.build();
    }

    private static void run() throws Exception {
        for (int i = 0; i < 3; i++) {
            start(i);
        }
        Poll.until(WAIT, "a cluster of 3", () -> routes(0) == 2 && routes(1) == 2 && routes(2) == 2);
        Map<String, Long> acked = new HashMap<>();
        int leader;
        try (Connection nc = Nats.connect(options(0, 1, 2))) {
            JetStreamManagement jsm = nc.jetStreamManagement(JetStreamOptions.builder()
                .requestTimeout(Duration.ofSeconds(10)).build());
            StreamInfo created = jsm.addStream(StreamConfiguration.builder().name("CUT").subjects("cut.>")
                .storageType(StorageType.File).replicas(3).build());
            leader = Integer.parseInt(created.getClusterInfo().getLeader().substring("node-".length())) - 1;
            JetStream js = nc.jetStream(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(2)).build());
            publish(js, acked, 1, 200);
        }
        int a = (leader + 1) % 3;
        int b = (leader + 2) % 3;

        cut(leader);
        System.out.println("RESULT cut node-" + (leader + 1) + " (the leader) off from the other two");
        // the cut-off node's own client: nothing it publishes is acknowledged
        boolean minorityAcked = false;
        try (Connection minority = Nats.connect(options(leader))) {
            JetStream js = minority.jetStream(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(3))
                .build());
            for (int k = 0; k < 3; k++) {
                try {
                    js.publish(message("minority-" + k));
                    minorityAcked = true;
                } catch (IOException | JetStreamApiException e) {
                    // no PubAck: what the minority side must do
                }
            }
        } catch (IOException e) {
            // the node may already have been downed by the split brain resolver: nothing acknowledged either
        }
        if (minorityAcked) {
            throw new AssertionError("the cut-off node acknowledged a publish");
        }
        System.out.println("RESULT the cut-off node acknowledged none of 3 publishes");
        // the majority side elects a leader and acknowledges
        long cutAt = System.nanoTime();
        try (Connection majority = Nats.connect(options(a, b))) {
            JetStream js = majority.jetStream(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(2))
                .build());
            publish(js, acked, 201, 201);
            System.out.println("RESULT majority side acknowledged again " + (System.nanoTime() - cutAt) / 1_000_000
                + " ms after the cut");
            publish(js, acked, 202, 400);
        }

        heal();
        // the split brain resolver downs the lone node (its actor system ends): restart it, as its pod would be
        NODES[leader].close();
        start(leader);
        Poll.until(WAIT, "node-" + (leader + 1) + " back in the cluster", () -> routes(leader) == 2);
        Poll.until(WAIT, "node-" + (leader + 1) + " caught up", () -> localMessages(leader) == acked.size());

        try (Connection nc = Nats.connect(options(0, 1, 2))) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            StreamInfo info = jsm.getStreamInfo("CUT");
            if (info.getStreamState().getMsgCount() != acked.size()
                    || info.getStreamState().getLastSequence() != acked.size()) {
                throw new AssertionError("stream holds " + info.getStreamState().getMsgCount() + " (last "
                    + info.getStreamState().getLastSequence() + "), acknowledged " + acked.size());
            }
            Map<String, Long> stored = new HashMap<>();
            for (long seq = 1; seq <= acked.size(); seq++) {
                String id = jsm.getMessage("CUT", seq).getHeaders().getFirst("Nats-Msg-Id");
                if (stored.put(id, seq) != null) {
                    throw new AssertionError(id + " stored twice");
                }
            }
            for (Map.Entry<String, Long> e : acked.entrySet()) {
                if (!e.getValue().equals(stored.get(e.getKey()))) {
                    throw new AssertionError(e.getKey() + " acknowledged at " + e.getValue() + ", stored at "
                        + stored.get(e.getKey()));
                }
            }
            for (String id : stored.keySet()) {
                if (id.startsWith("minority-")) {
                    throw new AssertionError("an unacknowledged publish of the cut-off side is stored: " + id);
                }
            }
        }
        System.out.println("RESULT ok: 2 faults (partition of the leader, restart), " + acked.size()
            + " acknowledged messages checked, none lost or doubled, the cut-off side's 3 publishes absent");
    }

    private static long localMessages(int node) {
        try {
            for (JsonNode s : Monitoring.get(IPS[node], 8222, "/jsz?streams=1").path("account_details").path(0)
                    .path("stream_detail")) {
                if (s.path("name").asText().equals("CUT")) {
                    return s.path("state").path("messages").asLong();
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    private static NatsMessage message(String id) {
        return NatsMessage.builder().subject("cut.x").headers(new Headers().add("Nats-Msg-Id", id))
            .data(id.getBytes(StandardCharsets.UTF_8)).build();
    }

    /** Publishes ids {@code from..to}, each again until acknowledged. */
    private static void publish(JetStream js, Map<String, Long> acked, int from, int to) {
        for (int i = from; i <= to; i++) {
            String id = "cut-" + i;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                try {
                    PublishAck ack = js.publish(message(id));
                    acked.put(id, ack.getSeqno());
                    break;
                } catch (IOException | JetStreamApiException | IllegalStateException e) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError(id + " not acknowledged within " + WAIT, e);
                    }
                }
            }
        }
    }
}
