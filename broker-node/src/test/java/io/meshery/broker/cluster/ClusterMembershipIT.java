package io.meshery.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestCluster;
import io.meshery.broker.testkit.WireClient;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What clients and operators see of the cluster: INFO {@code connect_urls} and its updates, {@code /routez},
 * {@code /varz}, {@code /healthz}, and a node that leaves and comes back. The tests run in order: the later ones
 * change the cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterMembershipIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String clientUrl(int i) {
        return "127.0.0.1:" + cluster.node(i).port();
    }

    @Test
    @Order(1)
    void infoListsEveryNodesClientAddress() throws Exception {
        for (int i = 0; i < 3; i++) {
            try (Connection nc = Nats.connect(Options.builder().server(cluster.url(i)).build())) {
                List<String> urls = nc.getServerInfo().getConnectURLs();
                assertEquals(3, urls.size(), "connect_urls of node " + (i + 1) + ": " + urls);
                for (int j = 0; j < 3; j++) {
                    assertTrue(urls.contains(clientUrl(j)), urls + " has node " + (j + 1));
                }
                assertEquals(cluster.name(), nc.getServerInfo().getCluster());
            }
        }
    }

    @Test
    @Order(2)
    void routezShowsOneEntryPerPeerWithItsInterest() throws Exception {
        try (Connection nc = Nats.connect(Options.builder().server(cluster.url(1)).build())) {
            nc.subscribe("routez.probe");
            nc.subscribe("routez.queue", "workers");
            nc.flush(WAIT);
            cluster.awaitRemoteInterest(0, "routez.probe");
            cluster.awaitRemoteInterest(0, "routez.queue");
            JsonNode r = get(0, "/routez?subs=1");
            assertEquals(cluster.node(0).server().serverId(), r.get("server_id").asText());
            assertEquals(2, r.get("num_routes").asInt());
            JsonNode toNode2 = null;
            for (JsonNode route : r.get("routes")) {
                for (String f : List.of("rid", "remote_id", "remote_name", "did_solicit", "is_configured", "ip", "port",
                    "start", "last_activity", "uptime", "idle", "pending_size", "in_msgs", "out_msgs", "in_bytes",
                    "out_bytes", "subscriptions")) {
                    assertTrue(route.has(f), f + " in " + route);
                }
                assertTrue(route.get("is_configured").asBoolean(), "every peer is in the routes");
                assertEquals("127.0.0.1", route.get("ip").asText());
                if (route.get("remote_name").asText().equals("node-2")) {
                    toNode2 = route;
                }
            }
            assertNotNull(toNode2, "a route to node-2 in " + r);
            assertEquals(cluster.node(1).server().serverId(), toNode2.get("remote_id").asText());
            assertEquals(cluster.clusterPort(1), toNode2.get("port").asInt());
            List<String> subs = new ArrayList<>();
            toNode2.get("subscriptions_list").forEach(s -> subs.add(s.asText()));
            assertTrue(subs.contains("routez.probe") && subs.contains("routez.queue"), subs.toString());
            JsonNode detail = get(0, "/routez?subs=detail");
            boolean queueSeen = false;
            for (JsonNode route : detail.get("routes")) {
                if (route.has("subscriptions_list_detail")) {
                    for (JsonNode d : route.get("subscriptions_list_detail")) {
                        queueSeen |= d.path("qgroup").asText().equals("workers");
                    }
                }
            }
            assertTrue(queueSeen, "the queue group in the detail: " + detail);
            // the one-hop rule seen from /routez: what node 1 forwards to node 2 is counted once per message
            long before = toNode2.get("out_msgs").asLong();
            for (int i = 0; i < 10; i++) {
                try (Connection pub = Nats.connect(Options.builder().server(cluster.url(0)).build())) {
                    pub.publish("routez.probe", null);
                    pub.flush(WAIT);
                }
            }
            Poll.until(WAIT, "10 messages forwarded to node-2", () -> outMsgsTo(0, "node-2") == before + 10);
        }
    }

    @Test
    @Order(3)
    void varzAndHealthzTellAboutTheCluster() throws Exception {
        JsonNode v = get(1, "/varz");
        assertEquals(cluster.name(), v.get("cluster").get("name").asText());
        assertEquals(cluster.clusterPort(1), v.get("cluster").get("cluster_port").asInt());
        assertEquals(3, v.get("cluster").get("urls").size());
        List<String> keys = new ArrayList<>();
        v.get("cluster").fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("name", "addr", "cluster_port", "auth_timeout", "urls", "tls_timeout"), keys,
            "nats-server's cluster block");
        assertEquals(2, v.get("routes").asInt());
        assertEquals(0, v.get("slow_consumer_stats").get("routes").asInt());
        assertEquals(3, v.get("connect_urls").size());
        JsonNode h = get(1, "/healthz");
        assertEquals("ok", h.get("status").asText());
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.node(0).httpPort()
            + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("meshery_broker_routes 2.0"), metrics);
        assertTrue(metrics.contains("meshery_broker_route_out_msgs_total{remote=\"node-2\"}"), metrics);
        assertTrue(metrics.contains("meshery_broker_route_slow_consumers_total 0.0"), metrics);
    }

    @Test
    @Order(3)
    void pekkoManagementServesTheMembersAndHealthChecksReadOnlyOnTheMonitoringPort() throws Exception {
        // routes come up on the hellos; node 1 may still see a member Joining until the membership gossip reaches it
        Poll.until(WAIT, "node 1 to see three members Up", () -> {
            JsonNode now;
            try {
                now = get(0, "/cluster/members");
            } catch (Exception e) {
                return false;
            }
            int up = 0;
            for (JsonNode m : now.get("members")) {
                up += "Up".equals(m.get("status").asText()) ? 1 : 0;
            }
            return up == 3;
        });
        JsonNode members = get(0, "/cluster/members");
        assertEquals(3, members.get("members").size(), members.toString());
        for (JsonNode m : members.get("members")) {
            assertEquals("Up", m.get("status").asText(), m.toString());
        }
        assertTrue(members.get("selfNode").asText().endsWith(":" + cluster.clusterPort(0)), members.toString());
        assertEquals(200, status(0, "GET", "/ready"));
        assertEquals(200, status(0, "GET", "/alive"));
        String anyMember = members.get("members").get(1).get("node").asText();
        assertEquals(405, status(0, "PUT", "/cluster/members/" + anyMember + "?operation=Down"),
            "the cluster endpoint changes nothing");
        assertEquals(3, get(0, "/cluster/members").get("members").size());
    }

    @Test
    @Order(4)
    void aNodeThatLeavesIsDroppedWithItsInterestAndClientsAreToldThenItRejoins() throws Exception {
        try (WireClient c = WireClient.connect(cluster.node(0).port(),
                "{\"verbose\":false,\"protocol\":1,\"headers\":true}");
             Connection onNode3 = Nats.connect(Options.builder().server(cluster.url(2)).noReconnect().build());
             Connection onNode1 = Nats.connect(Options.builder().server(cluster.url(0)).build())) {
            onNode1.subscribe("snapshot.subject");
            onNode1.subscribe("snapshot.queue", "q");
            onNode1.flush(WAIT);
            onNode3.subscribe("leaving.subject");
            onNode3.flush(WAIT);
            cluster.awaitRemoteInterest(0, "leaving.subject");
            String gone = clientUrl(2);
            long t0 = System.nanoTime();
            cluster.stop(2);
            Poll.until(WAIT, "node 1 to drop node 3", () -> cluster.node(0).server().cluster().routes().size() == 1);
            long leftMillis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, cluster.remoteInterest(0, "leaving.subject"), "node 3's interest left with it");
            String info = nextInfo(c);
            JsonNode updated = JSON.readTree(info.substring(5));
            List<String> urls = new ArrayList<>();
            updated.get("connect_urls").forEach(u -> urls.add(u.asText()));
            assertFalse(urls.contains(gone), "INFO after node 3 left: " + urls);
            assertEquals(2, urls.size(), urls.toString());
            assertTrue(leftMillis < 10_000, "a graceful leave took " + leftMillis + " ms");

            cluster.startNode(2);
            cluster.awaitFormed();
            String again = nextInfo(c);
            assertTrue(again.contains(clientUrl(2)), "INFO after node 3 came back: " + again);
            // the node that joined got node 1's interest as it was, in the snapshot that opens the route
            cluster.awaitRemoteInterest(2, "snapshot.subject");
            cluster.awaitRemoteInterest(2, "snapshot.queue");
        }
        try (Connection sub = Nats.connect(Options.builder().server(cluster.url(2)).build());
             Connection pub = Nats.connect(Options.builder().server(cluster.url(0)).build())) {
            Subscription s = sub.subscribe("rejoined");
            sub.flush(WAIT);
            cluster.awaitRemoteInterest(0, "rejoined");
            pub.publish("rejoined", "back".getBytes());
            Message m = s.nextMessage(WAIT);
            assertNotNull(m, "a message reaches the node that rejoined");
        }
    }

    @Test
    @Order(5)
    void lameDuckInfoLeavesTheNodeItselfOut() throws Exception {
        try (WireClient c = WireClient.connect(cluster.node(1).port(),
                "{\"verbose\":false,\"protocol\":1,\"headers\":true}")) {
            c.send("PING\r\n");
            c.expect("PONG");
            cluster.node(1).enterLameDuckMode();
            String info = nextInfo(c);
            JsonNode ldm = JSON.readTree(info.substring(5));
            assertTrue(ldm.path("ldm").asBoolean(), info);
            List<String> urls = new ArrayList<>();
            ldm.get("connect_urls").forEach(u -> urls.add(u.asText()));
            assertFalse(urls.contains(clientUrl(1)), "the node in lame duck mode is not offered: " + urls);
            assertEquals(2, urls.size(), urls.toString());
        }
    }

    /** The next INFO the node sends, answering the PINGs before it. */
    private static String nextInfo(WireClient c) throws Exception {
        for (int i = 0; i < 10; i++) {
            String line = c.readLine(WAIT);
            if (line.startsWith("INFO ")) {
                return line;
            }
            if (line.equals("PING")) {
                c.send("PONG\r\n");
            }
        }
        throw new AssertionError("no INFO");
    }

    private static long outMsgsTo(int node, String peer) {
        return cluster.node(node).server().cluster().routes().stream()
            .filter(r -> r.peer().serverName().equals(peer)).mapToLong(RouteLink::outMsgs).sum();
    }

    private static int status(int node, String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.node(node).httpPort() + path))
            .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
            .statusCode();
    }

    private static JsonNode get(int node, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + cluster.node(node).httpPort() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }
}
