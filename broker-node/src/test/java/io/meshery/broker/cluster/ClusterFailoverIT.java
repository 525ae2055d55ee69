package io.meshery.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshery.broker.testkit.BrokerProcess;
import io.meshery.broker.testkit.Monitoring;
import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestCluster;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three real processes configured with nats-server's flags ({@code --cluster}, {@code --routes},
 * {@code --cluster_name}, {@code -n}), started in reverse order: kill -9 of the node a jnats client is connected
 * to; the client fails over to another node given in its server list and keeps receiving, the survivors drop the
 * dead node within the documented bound, and the node restarted with its name and port rejoins. A node with
 * another cluster name is refused and says why.
 */
class ClusterFailoverIT {

    private static final Duration START = Duration.ofSeconds(60);
    /** Failure detection (about 3 s) + the split brain resolver's stable-after (4 s) + removal: docs/cluster.md. */
    private static final Duration REMOVAL_BOUND = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<BrokerProcess> processes = new ArrayList<>();
    /** Ascending, so node 1 is the first seed (the one that may start a cluster on its own). */
    private final int[] clusterPorts = java.util.Arrays.stream(TestCluster.freePorts(3)).sorted().toArray();
    private final int[] httpPorts = TestCluster.freePorts(3);
    private final int[] clientPorts = new int[3];

    @AfterEach
    void killAll() {
        processes.forEach(BrokerProcess::close);
    }

    private BrokerProcess startNode(int i, String clusterName) throws Exception {
        String routes = java.util.Arrays.stream(clusterPorts).mapToObj(p -> "nats-route://127.0.0.1:" + p)
            .collect(Collectors.joining(","));
        BrokerProcess p = BrokerProcess.start(List.of("-Xmx256m"), "-a", "127.0.0.1", "-p", "-1", "-m",
            Integer.toString(httpPorts[i]), "-n", "node-" + (i + 1), "--cluster", "nats://127.0.0.1:" + clusterPorts[i],
            "--routes", routes, "--cluster_name", clusterName);
        processes.add(p);
        return p;
    }

    private JsonNode get(int node, String path) throws Exception {
        return Monitoring.get(httpPorts[node], path);
    }

    private int routes(int node) {
        return Monitoring.routes(httpPorts[node]);
    }


    @Test
    void aKilledNodesClientsFailOverAndKeepReceivingAndTheNodeRejoins() throws Exception {
        BrokerProcess[] nodes = new BrokerProcess[3];
        for (int i = 2; i >= 0; i--) { // any start order: the first seed comes last
            nodes[i] = startNode(i, "failover");
        }
        for (int i = 0; i < 3; i++) {
            clientPorts[i] = nodes[i].clientPort(START);
        }
        Poll.until(START, "a cluster of 3", () -> routes(0) == 2 && routes(1) == 2 && routes(2) == 2);

        AtomicInteger received = new AtomicInteger();
        AtomicReference<String> connectedTo = new AtomicReference<>();
        Options subOptions = Options.builder()
            .server("nats://127.0.0.1:" + clientPorts[2])
            .server("nats://127.0.0.1:" + clientPorts[1])
            .noRandomize()
            .reconnectWait(Duration.ofMillis(100))
            .maxReconnects(-1)
            .build();
        try (Connection sub = Nats.connect(subOptions);
             Connection pub = Nats.connect(Options.builder().server("nats://127.0.0.1:" + clientPorts[0]).build())) {
            connectedTo.set(sub.getConnectedUrl());
            assertTrue(sub.getConnectedUrl().endsWith(":" + clientPorts[2]), sub.getConnectedUrl());
            Dispatcher d = sub.createDispatcher(m -> received.incrementAndGet());
            d.subscribe("failover.events");
            sub.flush(Duration.ofSeconds(5));
            Poll.until(Duration.ofSeconds(10), "node 1 to know the subscriber", () -> {
                try {
                    return get(0, "/routez?subs=1").toString().contains("failover.events");
                } catch (Exception e) {
                    return false;
                }
            });
            AtomicBoolean publishing = new AtomicBoolean(true);
            Thread publisher = new Thread(() -> {
                while (publishing.get()) {
                    pub.publish("failover.events", new byte[16]);
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            publisher.start();
            try {
                Poll.until(Duration.ofSeconds(10), "messages before the kill", () -> received.get() > 100);
                long t0 = System.nanoTime();
                nodes[2].signal("KILL");
                nodes[2].awaitExit(Duration.ofSeconds(10));
                Poll.until(Duration.ofSeconds(20), "the client to reconnect elsewhere",
                    () -> sub.getStatus() == Connection.Status.CONNECTED
                        && !sub.getConnectedUrl().endsWith(":" + clientPorts[2]));
                int atReconnect = received.get();
                Poll.until(Duration.ofSeconds(20), "messages again after the failover",
                    () -> received.get() > atReconnect + 100);
                Poll.until(REMOVAL_BOUND, "the survivors to drop the dead node", () -> routes(0) == 1 && routes(1) == 1);
                long removedMillis = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(removedMillis < REMOVAL_BOUND.toMillis(), "removed after " + removedMillis + " ms");
                assertNotEquals(connectedTo.get(), sub.getConnectedUrl());
            } finally {
                publishing.set(false);
                publisher.join(5_000);
            }
        }

        // the same name and port come back: it rejoins and gets routes to both
        nodes[2] = startNode(2, "failover");
        nodes[2].clientPort(START);
        Poll.until(START, "the restarted node to rejoin", () -> routes(0) == 2 && routes(1) == 2 && routes(2) == 2);
        // its routes can come up a moment before it sees itself Up, which /healthz waits for
        Poll.until(Duration.ofSeconds(20), "the restarted node to be healthy", () -> {
            try {
                return get(2, "/healthz").get("status").asText().equals("ok");
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void aNodeWithAnotherClusterNameIsRefusedAndSaysSo() throws Exception {
        BrokerProcess good = startNode(0, "right");
        good.clientPort(START);
        Poll.until(START, "the first node up", () -> {
            try {
                return get(0, "/healthz").get("status").asText().equals("ok");
            } catch (Exception e) {
                return false;
            }
        });
        BrokerProcess wrong = startNode(1, "wrong");
        wrong.clientPort(START);
        String refused = wrong.awaitLine(Duration.ofSeconds(30), l -> l.contains("Not a member of cluster \"wrong\""));
        assertTrue(refused.contains("[WRN]"), refused);
        assertEquals(0, routes(0), "no route to a node of another cluster");
        JsonNode health = get(1, "/healthz");
        assertEquals("unavailable", health.get("status").asText(), health.toString());
    }
}
