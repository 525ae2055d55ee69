package io.meshery.broker.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshery.broker.config.BrokerOptions;
import io.meshery.broker.testkit.TestBroker;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /jsz, /varz's jetstream block, /healthz and /metrics with JetStream on, moving with the streams. */
class MonitorJetStreamIT {

    @TempDir
    Path dir;

    @Test
    void jszVarzHealthzAndMetricsFollowTheStreams() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir,
                o -> o.httpHost("127.0.0.1").httpPort(BrokerOptions.RANDOM_PORT))) {
            MonitorHttp http = MonitorHttp.of(broker);
            try (Connection nc = http.connect("js")) {
                check(http, nc);
            }
        }
    }

    private void check(MonitorHttp http, Connection nc) throws Exception {
        {
            JsonNode before = http.get("/jsz").json();
            assertFalse(before.has("disabled"), before.toString());
            assertEquals(dir.toString(), before.path("config").path("store_dir").asText());
            assertEquals(0, before.path("streams").asInt());

            JetStreamManagement jsm = nc.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("S").subjects("s.>").build());
            for (int i = 0; i < 3; i++) {
                nc.jetStream().publish("s.x", "hello".getBytes(StandardCharsets.UTF_8));
            }
            jsm.addOrUpdateConsumer("S", ConsumerConfiguration.builder().durable("reader").build());
            JsonNode after = http.get("/jsz?accounts=1&streams=1&config=1").json();
            assertEquals(1, after.path("streams").asInt());
            assertEquals(1, after.path("consumers").asInt());
            assertEquals(3, after.path("messages").asInt());
            assertTrue(after.path("storage").asLong() > 0);
            assertTrue(after.path("api").path("total").asLong() >= 1);
            JsonNode stream = after.path("account_details").get(0).path("stream_detail").get(0);
            assertEquals("S", stream.path("name").asText());
            assertEquals(3, stream.path("state").path("messages").asInt());
            assertEquals("s.>", stream.path("config").path("subjects").get(0).asText());

            JsonNode varz = http.get("/varz").json().path("jetstream");
            assertEquals(dir.toString(), varz.path("config").path("store_dir").asText());
            assertTrue(varz.path("stats").path("storage").asLong() > 0);

            assertEquals(200, http.get("/healthz?js-enabled-only=true").status());
            assertEquals(200, http.get("/healthz?js-server-only=true").status());

            String metrics = http.get("/metrics").body();
            assertTrue(metrics.contains("meshery_broker_jetstream_messages 3.0"), metrics);
            assertTrue(metrics.contains("meshery_broker_jetstream_streams 1.0"), metrics);
        }
    }

    @Test
    void withoutJetStreamJszSaysDisabled() throws Exception {
        try (TestBroker broker = MonitorHttp.startBroker(o -> o)) {
            JsonNode jsz = MonitorHttp.of(broker).get("/jsz").json();
            assertTrue(jsz.path("disabled").asBoolean());
        }
    }
}
