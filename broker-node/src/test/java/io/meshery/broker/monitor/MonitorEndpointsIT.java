package io.meshery.broker.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshery.broker.node.BrokerNode;
import io.meshery.broker.server.ServerSettings;
import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestBroker;
import io.nats.client.Connection;
import io.nats.client.Subscription;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /varz}, {@code /subsz}, the single-node endpoints, the index page and the HTTP details. */
class MonitorEndpointsIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,9})?Z";
    private static final String UPTIME = "(\\d+y)?(\\d+d)?(\\d+h)?(\\d+m)?\\d+s";

    @RegisterExtension
    static final MonitorHttp http = MonitorHttp.node(o -> o.serverName("monitor-test"));

    @Test
    void varzDescribesTheNodeInNatsServersShape() {
        JsonNode v = http.json("/varz");
        List<String> fields = new ArrayList<>();
        v.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("server_id", "server_name", "version", "proto", "go", "host", "port",
            "max_connections", "ping_interval", "ping_max", "http_host", "http_port", "http_base_path", "https_port",
            "auth_timeout", "max_control_line", "max_payload", "max_pending", "cluster", "gateway", "leaf", "mqtt",
            "websocket", "jetstream", "tls_timeout", "write_deadline", "lame_duck_duration", "lame_duck_grace_period",
            "start", "now", "uptime", "mem", "cores", "gomaxprocs", "cpu", "connections", "total_connections",
            "routes", "remotes", "leafnodes", "in_msgs", "out_msgs", "in_bytes", "out_bytes", "slow_consumers",
            "slow_consumer_stats", "subscriptions", "http_req_stats", "config_load_time"), fields);

        assertEquals(http.broker().node().server().serverId(), v.get("server_id").asText());
        assertTrue(v.get("server_id").asText().matches("N[A-Z2-7]{55}"));
        assertEquals("monitor-test", v.get("server_name").asText());
        assertEquals("2.9.10", v.get("version").asText());
        assertEquals(1, v.get("proto").asInt());
        assertTrue(v.get("go").asText().startsWith("java17"), v.get("go").asText());
        assertEquals("127.0.0.1", v.get("host").asText());
        assertEquals(http.broker().port(), v.get("port").asInt());
        assertEquals("127.0.0.1", v.get("http_host").asText());
        assertEquals(http.broker().node().httpPort(), v.get("http_port").asInt());
        assertEquals(0, v.get("https_port").asInt());
        assertEquals(65536, v.get("max_connections").asInt());
        assertEquals(120_000_000_000L, v.get("ping_interval").asLong());
        assertEquals(2, v.get("ping_max").asInt());
        assertEquals(2, v.get("auth_timeout").asInt());
        assertTrue(v.get("auth_timeout").isIntegralNumber(), "Go prints 2, not 2.0");
        assertEquals(4096, v.get("max_control_line").asInt());
        assertEquals(1048576, v.get("max_payload").asInt());
        assertEquals(67108864, v.get("max_pending").asLong());
        assertEquals(2, v.get("tls_timeout").asInt());
        assertEquals(10_000_000_000L, v.get("write_deadline").asLong());
        assertEquals(120_000_000_000L, v.get("lame_duck_duration").asLong());
        assertEquals(10_000_000_000L, v.get("lame_duck_grace_period").asLong());
        for (String block : List.of("cluster", "gateway", "leaf", "mqtt", "websocket", "jetstream")) {
            assertTrue(v.get(block).isObject() && v.get(block).isEmpty(), block);
        }
        assertTrue(v.get("start").asText().matches(TIME), v.get("start").asText());
        assertTrue(v.get("now").asText().matches(TIME), v.get("now").asText());
        assertEquals(v.get("start").asText(), v.get("config_load_time").asText());
        assertTrue(v.get("uptime").asText().matches(UPTIME), v.get("uptime").asText());
        assertTrue(v.get("mem").asLong() > 1024 * 1024, "resident memory in bytes");
        assertEquals(Runtime.getRuntime().availableProcessors(), v.get("cores").asInt());
        assertEquals(v.get("cores").asInt(), v.get("gomaxprocs").asInt());
        assertTrue(v.get("cpu").asDouble() >= 0);
        for (String zero : List.of("routes", "remotes", "leafnodes")) {
            assertEquals(0, v.get(zero).asInt(), zero);
        }
    }

    @Test
    void varzCountersMoveWithTraffic() throws Exception {
        JsonNode before = http.json("/varz");
        try (Connection sub1 = http.connect("meshery-server");
             Connection sub2 = http.connect("meshery-ui");
             Connection pub = http.connect("meshsync")) {
            Subscription s1 = sub1.subscribe("varz.traffic");
            Subscription s2 = sub2.subscribe("varz.traffic");
            sub1.flush(WAIT);
            sub2.flush(WAIT);
            byte[] payload = new byte[100];
            for (int i = 0; i < 10; i++) {
                pub.publish("varz.traffic", payload);
            }
            pub.flush(WAIT);
            for (int i = 0; i < 10; i++) {
                assertNotNull(s1.nextMessage(WAIT));
                assertNotNull(s2.nextMessage(WAIT));
            }
            Poll.until(WAIT, "varz to count the traffic", () -> {
                JsonNode now = http.json("/varz");
                return delta(before, now, "in_msgs") == 10 && delta(before, now, "out_msgs") == 20
                    && delta(before, now, "in_bytes") == 1000 && delta(before, now, "out_bytes") == 2000;
            });
            JsonNode during = http.json("/varz");
            assertEquals(3, delta(before, during, "connections"));
            assertEquals(3, delta(before, during, "total_connections"));
            assertEquals(2, delta(before, during, "subscriptions"));
        }
        Poll.until(WAIT, "the connections to be gone", () ->
            delta(before, http.json("/varz"), "connections") == 0);
        JsonNode after = http.json("/varz");
        assertEquals(3, delta(before, after, "total_connections"));
        assertEquals(0, delta(before, after, "subscriptions"));
    }

    private static long delta(JsonNode before, JsonNode after, String field) {
        return after.get(field).asLong() - before.get(field).asLong();
    }

    @Test
    void httpRequestsAreCountedByPath() {
        JsonNode before = http.json("/varz").get("http_req_stats");
        http.json("/connz");
        http.json("/connz");
        http.json("/subscriptionsz");
        http.get("/connz?limit=x"); // refused, but asked
        JsonNode after = http.json("/varz").get("http_req_stats");
        assertEquals(count(before, "/connz") + 3, count(after, "/connz"));
        assertEquals(count(before, "/subsz") + 1, count(after, "/subsz"), "/subscriptionsz counts as /subsz");
        assertEquals(count(before, "/varz") + 1, count(after, "/varz"), "a /varz counts itself");
        List<String> paths = new ArrayList<>();
        after.fieldNames().forEachRemaining(paths::add);
        assertEquals(paths.stream().sorted().toList(), paths, "sorted as Go writes a map");
    }

    private static long count(JsonNode stats, String path) {
        return stats.has(path) ? stats.get(path).asLong() : 0;
    }

    @Test
    void subszReportsTheIndexAndListsMatchingSubscriptions() throws Exception {
        JsonNode before = http.json("/subsz");
        try (Connection workers = http.connect("workers");
             Connection watcher = http.connect("watcher");
             Connection pub = http.connect("orders-pub")) {
            workers.subscribe("orders.new", "workers");
            workers.subscribe("orders.new", "workers");
            watcher.subscribe("orders.*");
            watcher.subscribe("invoices.>");
            workers.flush(WAIT);
            watcher.flush(WAIT);
            for (int i = 0; i < 4; i++) {
                pub.publish("orders.new", new byte[1]);
            }
            pub.flush(WAIT);

            JsonNode stats = http.json("/subsz");
            List<String> fields = new ArrayList<>();
            stats.fieldNames().forEachRemaining(fields::add);
            assertEquals(List.of("num_subscriptions", "num_cache", "num_inserts", "num_removes", "num_matches",
                "cache_hit_rate", "max_fanout", "avg_fanout"), fields, "statistics only, as nats-server");
            assertEquals(4, stats.get("num_subscriptions").asLong() - before.get("num_subscriptions").asLong());
            assertEquals(4, stats.get("num_inserts").asLong() - before.get("num_inserts").asLong());
            assertEquals(4, stats.get("num_matches").asLong() - before.get("num_matches").asLong());
            double hitRate = stats.get("cache_hit_rate").asDouble();
            assertTrue(hitRate > 0 && hitRate <= 1, "three of four lookups hit the cache: " + hitRate);
            assertTrue(stats.get("num_cache").asInt() >= 1);
            assertTrue(stats.get("max_fanout").asInt() >= 2, "orders.new reaches the watcher and one worker");
            assertTrue(stats.get("avg_fanout").asDouble() > 0);
            assertEquals(stats.get("num_subscriptions"), http.json("/subscriptionsz").get("num_subscriptions"));

            JsonNode listed = http.json("/subsz?subs=1&test=orders.new");
            assertEquals(http.broker().node().server().serverId(), listed.get("server_id").asText());
            assertTrue(listed.get("now").asText().matches(TIME));
            assertEquals(3, listed.get("total").asInt());
            assertEquals(0, listed.get("offset").asInt());
            assertEquals(1024, listed.get("limit").asInt());
            Set<String> seen = new HashSet<>();
            for (JsonNode s : listed.get("subscriptions_list")) {
                assertEquals("$G", s.get("account").asText());
                assertTrue(s.get("cid").asLong() > 0);
                assertTrue(s.has("sid") && s.has("msgs"));
                seen.add(s.get("subject").asText() + (s.has("qgroup") ? " " + s.get("qgroup").asText() : ""));
            }
            assertEquals(Set.of("orders.new workers", "orders.*"), seen);
            long delivered = 0;
            for (JsonNode s : listed.get("subscriptions_list")) {
                delivered += s.get("msgs").asLong();
            }
            assertEquals(8, delivered, "four to the watcher, four shared by the workers");

            JsonNode page = http.json("/subsz?subs=true&test=orders.new&offset=1&limit=1");
            assertEquals(3, page.get("total").asInt());
            assertEquals(1, page.get("offset").asInt());
            assertEquals(1, page.get("limit").asInt());
            assertEquals(1, page.get("subscriptions_list").size());

            JsonNode none = http.json("/subsz?subs=1&test=nobody.listens");
            assertFalse(none.has("subscriptions_list") || none.has("server_id") || none.has("total"),
                "nothing to list: statistics only, as nats-server");
        }
    }

    @Test
    void singleNodeHasNoRoutesGatewaysOrLeafs() {
        String id = http.broker().node().server().serverId();
        JsonNode routez = http.json("/routez");
        assertEquals(List.of("server_id", "now", "num_routes", "routes"), names(routez));
        assertEquals(id, routez.get("server_id").asText());
        assertEquals(0, routez.get("num_routes").asInt());
        assertTrue(routez.get("routes").isArray() && routez.get("routes").isEmpty());
        assertEquals(0, http.json("/routez?subs=detail").get("num_routes").asInt());
        assertEquals(0, http.json("/routez?subs=1").get("num_routes").asInt());

        JsonNode gatewayz = http.json("/gatewayz");
        assertEquals(List.of("server_id", "now", "outbound_gateways", "inbound_gateways"), names(gatewayz));
        assertTrue(gatewayz.get("outbound_gateways").isEmpty() && gatewayz.get("inbound_gateways").isEmpty());

        JsonNode leafz = http.json("/leafz");
        assertEquals(List.of("server_id", "now", "leafnodes", "leafs"), names(leafz));
        assertEquals(0, leafz.get("leafnodes").asInt());
        assertTrue(leafz.get("leafs").isNull());
    }

    @Test
    void jszSaysJetStreamIsDisabledAsNatsServerDoes() {
        JsonNode jsz = http.json("/jsz");
        assertEquals(List.of("server_id", "now", "disabled", "config", "memory", "storage", "reserved_memory",
            "reserved_storage", "accounts", "ha_assets", "api", "streams", "consumers", "messages", "bytes"),
            names(jsz));
        assertTrue(jsz.get("disabled").asBoolean());
        assertEquals(0, jsz.get("config").get("max_memory").asLong());
        assertEquals(0, jsz.get("config").get("max_storage").asLong());
        assertEquals(0, jsz.get("api").get("total").asLong());
        assertEquals(0, jsz.get("api").get("errors").asLong());
        assertTrue(http.json("/jsz?accounts=true&streams=1&consumers=1&config=1&limit=5").get("disabled").asBoolean());
    }

    @Test
    void healthzIsOkWhileServing() {
        for (String query : List.of("", "?js-enabled-only=true", "?js-server-only=1", "?js-enabled=false")) {
            MonitorHttp.Response r = http.get("/healthz" + query);
            assertEquals(200, r.status(), query);
            assertEquals("application/json", r.contentType());
            assertEquals("{\"status\":\"ok\"}", r.body(), "compact, as nats-server writes it");
        }
    }

    @Test
    void indexPageLinksEveryEndpointAndEachAnswers() {
        MonitorHttp.Response index = http.get("/");
        assertEquals(200, index.status());
        assertTrue(index.contentType().startsWith("text/html"), index.contentType());
        for (String endpoint : List.of("varz", "connz", "subsz", "routez", "gatewayz", "leafz", "jsz", "healthz",
            "metrics")) {
            assertTrue(index.body().contains("href=./" + endpoint + ">"), endpoint);
            assertEquals(200, http.get("/" + endpoint).status(), endpoint);
        }
    }

    @Test
    void unknownPathIsNotFoundInGosWords() {
        MonitorHttp.Response r = http.get("/nosuch");
        assertEquals(404, r.status());
        assertEquals("404 page not found\n", r.body());
    }

    @Test
    void jsonIsPrettyPrintedAsGoDoes() {
        String body = http.get("/routez").body();
        assertTrue(body.startsWith("{\n  \"server_id\": \""), body);
        assertTrue(body.contains("\"num_routes\": 0,\n  \"routes\": []\n}"), body);
    }

    @Test
    void jsonpWhenACallbackIsNamed() {
        MonitorHttp.Response r = http.get("/healthz?callback=showHealth");
        assertEquals(200, r.status());
        assertTrue(r.contentType().startsWith("application/javascript"), r.contentType());
        assertEquals("showHealth({\"status\":\"ok\"})", r.body());
        assertEquals(400, http.get("/varz?callback=alert(1)").status(), "only plain names");
    }

    @Test
    void monitoringIsOffUnlessAPortIsGiven() {
        try (TestBroker quiet = TestBroker.start()) {
            assertEquals(-1, quiet.node().httpPort());
        }
    }

    @Test
    void aBusyMonitoringPortStopsTheStartWithAClearMessage() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            ServerSettings settings = TestBroker.settings(o -> o.httpHost("127.0.0.1").httpPort(taken.getLocalPort()));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                BrokerNode node = BrokerNode.start(settings);
                node.close();
            });
            assertTrue(e.getMessage().startsWith("cannot listen for monitoring on 127.0.0.1:" + taken.getLocalPort()),
                e.getMessage());
        }
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
