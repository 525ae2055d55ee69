package io.meshery.broker.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshery.broker.testkit.Poll;
import io.nats.client.Connection;
import io.nats.client.Subscription;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /metrics}: parsed as a Prometheus server reads it, and its values checked against the traffic. */
class MonitorMetricsIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** {@code name{labels} value}, as the text format writes a sample. */
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)");

    @RegisterExtension
    static final MonitorHttp http = MonitorHttp.node(o -> o.serverName("metrics-node"));

    /** Every sample of one scrape, keyed by name plus labels exactly as written. */
    private static Map<String, Double> scrape() {
        MonitorHttp.Response r = http.get("/metrics");
        assertEquals(200, r.status());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.contentType().toLowerCase());
        Map<String, Double> samples = new HashMap<>();
        for (String line : r.body().split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not a sample line: " + line);
            samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
        }
        return samples;
    }

    private static double value(Map<String, Double> samples, String key) {
        Double v = samples.get(key);
        assertNotNull(v, key + " missing from " + samples.keySet());
        return v;
    }

    @Test
    void brokerMetricsFollowTheTrafficAndAgreeWithVarz() throws Exception {
        Map<String, Double> before = scrape();
        try (Connection sub = http.connect("meshery-server");
             Connection pub = http.connect("meshsync")) {
            Subscription s = sub.subscribe("metrics.core");
            sub.flush(WAIT);
            for (int i = 0; i < 25; i++) {
                pub.publish("metrics.core", new byte[40]);
            }
            pub.flush(WAIT);
            for (int i = 0; i < 25; i++) {
                assertNotNull(s.nextMessage(WAIT));
            }
            Poll.until(WAIT, "the scrape to show the traffic", () -> {
                Map<String, Double> now = scrape();
                return value(now, "meshery_broker_out_msgs_total")
                    - value(before, "meshery_broker_out_msgs_total") == 25;
            });
            Map<String, Double> after = scrape();
            assertEquals(25, delta(before, after, "meshery_broker_in_msgs_total"));
            assertEquals(1000, delta(before, after, "meshery_broker_in_bytes_total"));
            assertEquals(25, delta(before, after, "meshery_broker_out_msgs_total"));
            assertEquals(1000, delta(before, after, "meshery_broker_out_bytes_total"));
            assertEquals(2, delta(before, after, "meshery_broker_connections"));
            assertEquals(2, delta(before, after, "meshery_broker_connections_accepted_total"));
            assertEquals(1, delta(before, after, "meshery_broker_subscriptions"));
            assertEquals(0, value(after, "meshery_broker_slow_consumers_total"));
            assertEquals(25, delta(before, after, "meshery_broker_subject_matches_total"));

            JsonNode varz = http.json("/varz");
            Map<String, Double> same = scrape();
            for (String[] pair : new String[][] {
                {"in_msgs", "meshery_broker_in_msgs_total"}, {"out_msgs", "meshery_broker_out_msgs_total"},
                {"in_bytes", "meshery_broker_in_bytes_total"}, {"out_bytes", "meshery_broker_out_bytes_total"},
                {"connections", "meshery_broker_connections"},
                {"total_connections", "meshery_broker_connections_accepted_total"},
                {"subscriptions", "meshery_broker_subscriptions"},
                {"slow_consumers", "meshery_broker_slow_consumers_total"}}) {
                assertEquals(varz.get(pair[0]).asDouble(), value(same, pair[1]), pair[0]);
            }
        }
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String key) {
        return value(after, key) - value(before, key);
    }

    @Test
    void identityJvmAndProcessMetricsAreThere() {
        Map<String, Double> samples = scrape();
        String id = http.broker().node().server().serverId();
        assertEquals(1, value(samples, "meshery_broker_info{nats_version=\"2.9.10\",server_id=\"" + id
            + "\",server_name=\"metrics-node\",version=\"0.1.0\"}"));
        double started = value(samples, "meshery_broker_start_time_seconds");
        assertEquals(http.broker().node().server().start().getEpochSecond(), started, 0.5);
        assertTrue(value(samples, "jvm_memory_used_bytes{area=\"heap\"}") > 0);
        assertTrue(samples.keySet().stream().anyMatch(k -> k.startsWith("jvm_gc_collection_seconds_count{")),
            "garbage collector metrics");
        assertTrue(value(samples, "jvm_threads_current") > 0);
        assertTrue(value(samples, "process_cpu_seconds_total") > 0);
    }

    @Test
    void helpAndTypeLinesNameTheMetrics() {
        String body = http.get("/metrics").body();
        assertTrue(body.contains("# TYPE meshery_broker_in_msgs_total counter\n"), body);
        assertTrue(body.contains("# TYPE meshery_broker_connections gauge\n"));
        assertTrue(body.contains("# HELP meshery_broker_slow_consumers_total "));
    }

    @Test
    void openMetricsWhenTheScraperAsksForIt() {
        MonitorHttp.Response r = http.get("/metrics", "application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertEquals(200, r.status());
        assertTrue(r.contentType().startsWith("application/openmetrics-text"), r.contentType());
        assertTrue(r.body().contains("meshery_broker_in_msgs_total "), r.body());
        assertTrue(r.body().endsWith("# EOF\n"));
    }
}
