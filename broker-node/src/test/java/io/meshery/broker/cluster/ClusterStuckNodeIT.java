package io.meshery.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshery.broker.testkit.BrokerProcess;
import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestCluster;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that stops answering (SIGSTOP: its process is frozen, its sockets stay open) is isolated: the node that
 * forwards to it keeps delivering to its own subscribers and to the healthy node at full count, holds at most
 * max_pending for the frozen one, and counts it in {@code /varz} {@code slow_consumer_stats.routes}.
 */
class ClusterStuckNodeIT {

    private static final Duration START = Duration.ofSeconds(60);
    private static final long MAX_PENDING = 8L << 20;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private final List<BrokerProcess> processes = new ArrayList<>();
    private final int[] clusterPorts = java.util.Arrays.stream(TestCluster.freePorts(3)).sorted().toArray();
    private final int[] httpPorts = TestCluster.freePorts(3);

    @AfterEach
    void stopAll() throws Exception {
        for (BrokerProcess p : processes) {
            if (p.process().isAlive()) {
                p.signal("CONT");
            }
            p.close();
        }
    }

    private BrokerProcess startNode(int i) throws Exception {
        String routes = java.util.Arrays.stream(clusterPorts).mapToObj(p -> "\"nats-route://127.0.0.1:" + p + "\"")
            .collect(Collectors.joining(", "));
        Path conf = dir.resolve("node-" + (i + 1) + ".conf");
        Files.writeString(conf, """
            server_name: node-%d
            listen: "127.0.0.1:-1"
            http: "127.0.0.1:%d"
            max_pending: 8MB
            cluster {
              name: stuck
              listen: "127.0.0.1:%d"
              routes: [%s]
            }
            """.formatted(i + 1, httpPorts[i], clusterPorts[i], routes));
        BrokerProcess p = BrokerProcess.start(List.of("-Xmx384m"), "-c", conf.toString());
        processes.add(p);
        return p;
    }

    private JsonNode get(int node, String path) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPorts[node] + path)).build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    @Test
    void aFrozenNodeNeitherStallsLocalDeliveryNorTheHealthyNodeAndIsCountedAsASlowRoute() throws Exception {
        BrokerProcess[] nodes = new BrokerProcess[3];
        int[] clientPorts = new int[3];
        for (int i = 0; i < 3; i++) {
            nodes[i] = startNode(i);
        }
        for (int i = 0; i < 3; i++) {
            clientPorts[i] = nodes[i].clientPort(START);
        }
        Poll.until(START, "a cluster of 3", () -> get(0, "/routez").path("num_routes").asInt() == 2
            && get(1, "/routez").path("num_routes").asInt() == 2 && get(2, "/routez").path("num_routes").asInt() == 2);

        int n = 24_000; // 24 MB of payload: three times max_pending
        AtomicInteger local = new AtomicInteger();
        AtomicInteger healthy = new AtomicInteger();
        try (Connection onNode1 = Nats.connect(url(clientPorts[0]));
             Connection onNode2 = Nats.connect(url(clientPorts[1]));
             Connection onNode3 = Nats.connect(url(clientPorts[2]))) {
            Dispatcher d1 = onNode1.createDispatcher(m -> local.incrementAndGet());
            d1.subscribe("bulk.data");
            Dispatcher d2 = onNode2.createDispatcher(m -> healthy.incrementAndGet());
            d2.subscribe("bulk.data");
            onNode3.subscribe("bulk.data");
            onNode2.flush(Duration.ofSeconds(5));
            onNode3.flush(Duration.ofSeconds(5));
            Poll.until(Duration.ofSeconds(10), "node 1 to know both subscribers",
                () -> get(0, "/subsz").path("num_subscriptions").asInt() >= 3);

            nodes[2].signal("STOP");
            long t0 = System.nanoTime();
            try (Connection pub = Nats.connect(url(clientPorts[0]))) {
                byte[] kib = new byte[1024];
                for (int i = 0; i < n; i++) {
                    pub.publish("bulk.data", kib.clone());
                }
                pub.flush(Duration.ofSeconds(30));
            }
            Poll.until(Duration.ofSeconds(30), "every message at the local and the healthy subscriber",
                () -> local.get() == n && healthy.get() == n);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            JsonNode varz = get(0, "/varz");
            assertTrue(varz.path("slow_consumer_stats").path("routes").asInt() >= 1, varz.toString());
            for (JsonNode route : get(0, "/routez").path("routes")) {
                if (route.path("remote_name").asText().equals("node-3")) {
                    assertTrue(route.path("pending_size").asLong() <= MAX_PENDING + (1 << 20),
                        "bounded route buffer: " + route);
                }
            }
            assertEquals(n, local.get());
            assertEquals(n, healthy.get());
            assertTrue(millis < 30_000, "took " + millis + " ms");
        }
    }

    private static Options url(int port) {
        return Options.builder().server("nats://127.0.0.1:" + port).maxReconnects(0).build();
    }
}
