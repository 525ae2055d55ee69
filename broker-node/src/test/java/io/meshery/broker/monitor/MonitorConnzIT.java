package io.meshery.broker.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestBroker;
import io.meshery.broker.testkit.WireClient;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /connz}: connections as Meshery's components appear in it, closed ones with their reasons, every sort. */
class MonitorConnzIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,9})?Z";
    private static final String UPTIME = "(\\d+y)?(\\d+d)?(\\d+h)?(\\d+m)?\\d+s";
    private static final String GO_DURATION = "(\\d+h)?(\\d+m)?\\d+(\\.\\d+)?(ns|µs|ms|s)";

    @RegisterExtension
    static final MonitorHttp http = MonitorHttp.node(s -> s);

    private static JsonNode byName(JsonNode connz, String name) {
        for (JsonNode c : connz.get("connections")) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        return null;
    }

    /**
     * MeshSync publishes cluster events and serves requests in a queue group; Meshery Server subscribes to the
     * events and sends requests. Both show in /connz by the names the official client sent.
     */
    @Test
    void meshsyncAndMesheryServerAreListedByNameWithTheirTraffic() throws Exception {
        try (Connection meshsync = http.connect("meshsync");
             Connection server = http.connect("meshery-server")) {
            Subscription requests = meshsync.subscribe("meshery.meshsync.request", "meshsync-request-stream");
            meshsync.flush(WAIT);
            Subscription events = server.subscribe("meshery.meshsync.core");
            server.subscribe("meshery.meshsync.logs");
            server.flush(WAIT);
            for (int i = 0; i < 3; i++) {
                meshsync.publish("meshery.meshsync.core", new byte[50]);
            }
            for (int i = 0; i < 2; i++) {
                server.publish("meshery.meshsync.request", new byte[20]);
            }
            meshsync.flush(WAIT);
            server.flush(WAIT);
            for (int i = 0; i < 3; i++) {
                assertNotNull(events.nextMessage(WAIT));
            }
            for (int i = 0; i < 2; i++) {
                assertNotNull(requests.nextMessage(WAIT));
            }

            JsonNode connz = http.json("/connz?subs=1");
            assertTrue(connz.get("now").asText().matches(TIME));
            assertEquals(http.broker().node().server().serverId(), connz.get("server_id").asText());
            JsonNode ms = byName(connz, "meshsync");
            JsonNode mes = byName(connz, "meshery-server");
            assertNotNull(ms, connz.toString());
            assertNotNull(mes, connz.toString());
            for (JsonNode c : List.of(ms, mes)) {
                assertEquals("Client", c.get("kind").asText());
                assertEquals("nats", c.get("type").asText());
                assertEquals("127.0.0.1", c.get("ip").asText());
                assertTrue(c.get("port").asInt() > 0);
                assertEquals("java", c.get("lang").asText());
                assertEquals(Nats.CLIENT_VERSION, c.get("version").asText());
                assertTrue(c.get("start").asText().matches(TIME));
                assertTrue(c.get("last_activity").asText().matches(TIME));
                assertTrue(c.get("last_activity").asText().compareTo(c.get("start").asText()) >= 0);
                assertTrue(c.get("rtt").asText().matches(GO_DURATION), c.get("rtt").asText());
                assertTrue(c.get("uptime").asText().matches(UPTIME));
                assertTrue(c.get("idle").asText().matches(UPTIME));
                assertEquals(0, c.get("pending_bytes").asLong());
                assertFalse(c.has("stop") || c.has("reason"), "open");
            }
            assertEquals(3, ms.get("in_msgs").asLong());
            assertEquals(150, ms.get("in_bytes").asLong());
            assertEquals(2, ms.get("out_msgs").asLong());
            assertEquals(40, ms.get("out_bytes").asLong());
            assertEquals(1, ms.get("subscriptions").asInt());
            assertEquals(List.of("meshery.meshsync.request"), texts(ms.get("subscriptions_list")));
            assertEquals(2, mes.get("in_msgs").asLong());
            assertEquals(40, mes.get("in_bytes").asLong());
            assertEquals(3, mes.get("out_msgs").asLong());
            assertEquals(150, mes.get("out_bytes").asLong());
            assertEquals(2, mes.get("subscriptions").asInt());
            assertEquals(Set.of("meshery.meshsync.core", "meshery.meshsync.logs"),
                Set.copyOf(texts(mes.get("subscriptions_list"))));

            JsonNode plain = byName(http.json("/connz"), "meshsync");
            assertFalse(plain.has("subscriptions_list") || plain.has("subscriptions_list_detail"));

            JsonNode detail = byName(http.json("/connz?subs=detail"), "meshsync");
            assertFalse(detail.has("subscriptions_list"));
            JsonNode sub = detail.get("subscriptions_list_detail").get(0);
            assertEquals("meshery.meshsync.request", sub.get("subject").asText());
            assertEquals("meshsync-request-stream", sub.get("qgroup").asText());
            assertEquals(2, sub.get("msgs").asLong());
            assertEquals(ms.get("cid").asLong(), sub.get("cid").asLong());
            assertTrue(sub.has("sid"));
            assertFalse(sub.has("max") || sub.has("account"), "nats-server 2.9 omits both for an open client");

            long cid = ms.get("cid").asLong();
            JsonNode one = http.json("/connz?cid=" + cid);
            assertEquals(1, one.get("num_connections").asInt());
            assertEquals(1, one.get("limit").asInt());
            assertEquals(cid, one.get("connections").get(0).get("cid").asLong());
            assertEquals("meshsync", one.get("connections").get(0).get("name").asText());
        }
    }

    @Test
    void userIsShownOnlyWhenAuthIsAsked() throws Exception {
        try (WireClient c = WireClient.connect(http.broker().port(),
                "{\"verbose\":false,\"name\":\"with-user\",\"user\":\"bob\",\"pass\":\"secret\"}")) {
            assertFalse(byName(http.json("/connz"), "with-user").has("authorized_user"));
            JsonNode withAuth = byName(http.json("/connz?auth=true"), "with-user");
            assertEquals("bob", withAuth.get("authorized_user").asText());
            assertFalse(withAuth.toString().contains("secret"));
        }
    }

    @Test
    void closedConnectionsAreKeptWithNatsServersReasons() throws Exception {
        long leaverCid;
        try (Connection leaver = http.connect("leaver")) {
            leaver.subscribe("leaver.inbox");
            leaver.flush(WAIT);
            leaverCid = byName(http.json("/connz"), "leaver").get("cid").asLong();
        }
        try (WireClient bad = WireClient.connect(http.broker().port(), "{\"verbose\":false,\"name\":\"garbler\"}")) {
            bad.send("FOO\r\n").expect("-ERR 'Unknown Protocol Operation'");
            bad.expectClosed();
        }
        try (WireClient bad = WireClient.connect(http.broker().port(), "{\"verbose\":false,\"name\":\"complainer\"}")) {
            bad.send("-ERR 'nope'\r\n").expectClosed();
        }
        try (WireClient bad = WireClient.connect(http.broker().port(), "{\"verbose\":false,\"name\":\"oversize\"}")) {
            bad.send("PUB big 2000000\r\n").expect("-ERR 'Maximum Payload Violation'");
            bad.expectClosed();
        }
        Map<String, String> expected = Map.of(
            "leaver", "Client Closed",
            "garbler", "Protocol Violation",
            "complainer", "Parse Error",
            "oversize", "Maximum Message Payload Exceeded");
        Poll.until(WAIT, "all four closed connections", () -> {
            JsonNode closed = http.json("/connz?state=closed");
            return expected.keySet().stream().allMatch(n -> byName(closed, n) != null);
        });
        JsonNode closed = http.json("/connz?state=closed&subs=1");
        expected.forEach((name, reason) -> {
            JsonNode c = byName(closed, name);
            assertEquals(reason, c.get("reason").asText(), name);
            assertTrue(c.get("stop").asText().matches(TIME), name);
            assertTrue(c.get("stop").asText().compareTo(c.get("start").asText()) >= 0, name);
            assertTrue(c.get("uptime").asText().matches(UPTIME));
        });
        assertEquals(List.of("leaver.inbox"), texts(byName(closed, "leaver").get("subscriptions_list")),
            "a closed connection keeps its subscriptions");
        JsonNode closedDetail = byName(http.json("/connz?state=closed&subs=detail"), "leaver");
        JsonNode sub = closedDetail.get("subscriptions_list_detail").get(0);
        assertEquals("$G", sub.get("account").asText(), "nats-server 2.9 names the account of a closed one");
        assertEquals("leaver.inbox", sub.get("subject").asText());

        assertNull(byName(http.json("/connz"), "leaver"), "not among the open ones");
        assertNotNull(byName(http.json("/connz?state=all"), "leaver"));
        assertNotNull(byName(http.json("/connz?state=any"), "leaver"));
        JsonNode byCidOpen = http.json("/connz?cid=" + leaverCid);
        assertEquals(0, byCidOpen.get("num_connections").asInt(), "cid looks among open connections by default");
        JsonNode byCidClosed = http.json("/connz?state=closed&cid=" + leaverCid);
        assertEquals(1, byCidClosed.get("num_connections").asInt());
        assertEquals("Client Closed", byCidClosed.get("connections").get(0).get("reason").asText());
        assertTrue(byCidClosed.get("total").asInt() >= 4, "total counts the closed connections kept");
    }

    @Test
    void staleConnectionIsClosedAndKept() throws Exception {
        try (TestBroker b = MonitorHttp.startBroker(o -> o.pingInterval(Duration.ofMillis(200)).pingMax(2));
             WireClient silent = WireClient.connect(b.port(), "{\"verbose\":false,\"name\":\"silent\"}")) {
            MonitorHttp h = MonitorHttp.of(b);
            Poll.until(WAIT, "the silent client to be closed", () ->
                byName(h.json("/connz?state=closed"), "silent") != null);
            assertEquals("Stale Connection", byName(h.json("/connz?state=closed"), "silent").get("reason").asText());
        }
    }

    @Test
    void slowConsumerIsClosedAndKept() throws Exception {
        try (TestBroker b = MonitorHttp.startBroker(o -> o.maxPayload(64 * 1024).maxPending(256 * 1024));
             WireClient stuck = WireClient.connect(b.port(), "{\"verbose\":false,\"name\":\"stuck\"}")) {
            MonitorHttp h = MonitorHttp.of(b);
            stuck.socket().setReceiveBufferSize(4096);
            stuck.send("SUB flood 1\r\nPING\r\n").expect("PONG");
            try (Connection pub = h.connect("flooder")) {
                byte[] payload = new byte[32 * 1024];
                for (int i = 0; i < 2000 && b.node().server().slowConsumers() == 0; i++) {
                    pub.publish("flood", payload);
                    if (i % 16 == 15) {
                        pub.flush(WAIT);
                    }
                }
                Poll.until(WAIT, "the stuck reader to be closed", () ->
                    byName(h.json("/connz?state=closed"), "stuck") != null);
                JsonNode closed = byName(h.json("/connz?state=closed"), "stuck");
                assertEquals("Slow Consumer (Pending Bytes)", closed.get("reason").asText());
                assertEquals(1, h.json("/varz").get("slow_consumers").asLong());
            }
        }
    }

    /**
     * Three raw connections with known, distinct statistics, so every order can be checked: c1 has three
     * subscriptions and publishes one 100-byte message, c2 has one subscription and publishes five 1-byte
     * messages, c3 has two subscriptions and receives those five. They connect, and are last active, in order
     * c1, c2, c3.
     */
    @Test
    void everySortOrderOfNatsServer() throws Exception {
        try (TestBroker b = MonitorHttp.startBroker(s -> s);
             WireClient c1 = WireClient.connect(b.port(), "{\"verbose\":false,\"name\":\"c1\"}");
             WireClient c2 = WireClient.connect(b.port(), "{\"verbose\":false,\"name\":\"c2\"}");
             WireClient c3 = WireClient.connect(b.port(), "{\"verbose\":false,\"name\":\"c3\"}")) {
            MonitorHttp h = MonitorHttp.of(b);
            roundTrip(c1, "SUB x1 1\r\nSUB x2 2\r\nSUB x3 3\r\n");
            roundTrip(c2, "SUB x4 1\r\n");
            roundTrip(c3, "SUB to3.a 1\r\nSUB to3.b 2\r\n");
            roundTrip(c1, "PUB x4 100\r\n" + "a".repeat(100) + "\r\n");
            expectSkippingPings(c2, "MSG x4 1 100");
            expectSkippingPings(c2, "a".repeat(100));
            roundTrip(c2, "PUB to3.a 1\r\nb\r\n".repeat(5));
            for (int i = 0; i < 5; i++) {
                expectSkippingPings(c3, "MSG to3.a 1 1");
                expectSkippingPings(c3, "b");
            }
            for (WireClient c : List.of(c1, c2, c3)) {
                roundTrip(c, "");
            }

            assertOrder(h, "/connz", "c1", "c2", "c3");
            assertOrder(h, "/connz?sort=cid", "c1", "c2", "c3");
            assertOrder(h, "/connz?sort=start", "c1", "c2", "c3");
            assertOrder(h, "/connz?sort=subs", "c1", "c3", "c2");
            assertOrder(h, "/connz?sort=msgs_from", "c2", "c1", "c3");
            assertOrder(h, "/connz?sort=bytes_from", "c1", "c2", "c3");
            assertOrder(h, "/connz?sort=msgs_to", "c3", "c2", "c1");
            assertOrder(h, "/connz?sort=bytes_to", "c2", "c3", "c1");
            assertOrder(h, "/connz?sort=last", "c3", "c2", "c1");
            assertOrder(h, "/connz?sort=idle", "c1", "c2", "c3");
            assertOrder(h, "/connz?sort=uptime", "c3", "c2", "c1");
            assertOrder(h, "/connz?sort=pending", "c1", "c2", "c3"); // all zero: ties go by cid
            assertDescending(h.json("/connz?sort=rtt"), c -> goNanos(c.get("rtt").asText()));

            JsonNode page = h.json("/connz?offset=1&limit=1");
            assertEquals(1, page.get("num_connections").asInt());
            assertEquals(3, page.get("total").asInt());
            assertEquals(1, page.get("offset").asInt());
            assertEquals(1, page.get("limit").asInt());
            assertEquals("c2", page.get("connections").get(0).get("name").asText());
            JsonNode beyond = h.json("/connz?offset=5");
            assertEquals(0, beyond.get("num_connections").asInt());
            assertEquals(3, beyond.get("total").asInt());
            assertEquals(1024, h.json("/connz?limit=0").get("limit").asInt(), "0 means the default");
            assertEquals(0, h.json("/connz?offset=-4").get("offset").asInt());

            // Close in order c1 (client closes), c2 (protocol violation), c3 (client closes).
            c1.socket().close();
            Poll.until(WAIT, "c1 closed", () -> b.node().server().closedConnectionCount() == 1);
            c2.send("FOO\r\n");
            Poll.until(WAIT, "c2 closed", () -> b.node().server().closedConnectionCount() == 2);
            c3.socket().close();
            Poll.until(WAIT, "c3 closed", () -> b.node().server().closedConnectionCount() == 3);

            assertOrder(h, "/connz?state=closed&sort=stop", "c3", "c2", "c1");
            assertOrder(h, "/connz?state=closed&sort=reason", "c1", "c3", "c2");
            assertOrder(h, "/connz?state=closed", "c1", "c2", "c3");
            assertOrder(h, "/connz?state=closed&sort=subs", "c1", "c3", "c2");
            assertOrder(h, "/connz?state=closed&sort=msgs_to", "c3", "c2", "c1");
        }
    }

    /** Sends {@code ops} and a PING, and waits for the PONG: the server has then handled {@code ops}. */
    private static void roundTrip(WireClient c, String ops) throws Exception {
        c.send(ops + "PING\r\n");
        expectSkippingPings(c, "PONG");
    }

    /** The server's own keep-alive PING may come at any time after two seconds; these clients let it pass. */
    private static void expectSkippingPings(WireClient c, String line) throws Exception {
        String got = c.readLine(WAIT);
        while (got.equals("PING")) {
            got = c.readLine(WAIT);
        }
        assertEquals(line, got);
    }

    private static void assertOrder(MonitorHttp h, String query, String... names) {
        List<String> actual = new ArrayList<>();
        for (JsonNode c : h.json(query).get("connections")) {
            actual.add(c.get("name").asText());
        }
        assertEquals(List.of(names), actual, query);
    }

    private static void assertDescending(JsonNode connz, ToLongFunction<JsonNode> key) {
        long previous = Long.MAX_VALUE;
        for (JsonNode c : connz.get("connections")) {
            long k = key.applyAsLong(c);
            assertTrue(k <= previous, connz.toString());
            previous = k;
        }
    }

    /** Parses what Go's Duration.String() writes, for the units a round trip uses. */
    private static long goNanos(String d) {
        Map<String, Long> units = new HashMap<>(Map.of("h", 3_600_000_000_000L, "m", 60_000_000_000L,
            "s", 1_000_000_000L, "ms", 1_000_000L, "µs", 1_000L, "ns", 1L));
        var m = java.util.regex.Pattern.compile("([0-9.]+)(h|ms|m|µs|ns|s)").matcher(d);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1)) * units.get(m.group(2));
        }
        return (long) total;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
