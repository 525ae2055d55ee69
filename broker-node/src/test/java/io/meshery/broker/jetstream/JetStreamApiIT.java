package io.meshery.broker.jetstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshery.broker.testkit.TestBroker;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Raw {@code $JS.API} requests, as any client library sends them: the error codes nats-server answers with for
 * bad input, and nothing stored changes; direct gets.
 */
class JetStreamApiIT {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static JsonNode request(Connection nc, String subject, String body) throws Exception {
        Message reply = nc.request(subject, body.getBytes(StandardCharsets.UTF_8), WAIT);
        return JSON.readTree(reply.getData());
    }

    private static void assertError(JsonNode response, int code, int errCode) {
        assertEquals(code, response.path("error").path("code").asInt(), response.toString());
        assertEquals(errCode, response.path("error").path("err_code").asInt(), response.toString());
        assertTrue(!response.path("error").path("description").asText().isEmpty(), response.toString());
    }

    @Test
    void badInputGetsNatsServersErrorsAndChangesNothing() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            assertError(request(nc, "$JS.API.STREAM.CREATE.X", "{not json"), 400, 10025);
            assertError(request(nc, "$JS.API.STREAM.CREATE.X", "{\"name\":\"Y\"}"), 400, 10056);
            assertError(request(nc, "$JS.API.STREAM.CREATE.a*", "{\"name\":\"a*\"}"), 500, 10052);
            String longName = "n".repeat(300);
            assertError(request(nc, "$JS.API.STREAM.CREATE." + longName, "{\"name\":\"" + longName + "\"}"),
                500, 10052);
            assertError(request(nc, "$JS.API.STREAM.CREATE.N", "{\"name\":\"N\",\"max_msgs\":-5}"), 500, 10052);
            assertError(request(nc, "$JS.API.STREAM.CREATE.N", "{\"name\":\"N\",\"num_replicas\":3}"), 500, 10074);
            assertError(request(nc, "$JS.API.STREAM.CREATE.N", "{\"name\":\"N\",\"storage\":\"tape\"}"), 400, 10025);
            assertError(request(nc, "$JS.API.STREAM.INFO.NOPE", ""), 404, 10059);
            JsonNode names = request(nc, "$JS.API.STREAM.NAMES", "");
            assertEquals(0, names.path("total").asInt(), "nothing was created: " + names);

            JsonNode created = request(nc, "$JS.API.STREAM.CREATE.OK", "{\"name\":\"OK\",\"subjects\":[\"ok.>\"]}");
            assertEquals("io.nats.jetstream.api.v1.stream_create_response", created.path("type").asText());
            assertTrue(created.path("did_create").asBoolean(), created.toString());
            assertEquals(120_000_000_000L, created.path("config").path("duplicate_window").asLong());
            assertEquals(-1, created.path("config").path("max_msgs").asLong());
            assertEquals("limits", created.path("config").path("retention").asText());
            assertEquals("0001-01-01T00:00:00Z", created.path("state").path("first_ts").asText());
            assertEquals(0, created.path("state").path("first_seq").asLong(), "as nats-server for a new stream");
            assertError(request(nc, "$JS.API.STREAM.MSG.GET.OK", "{\"seq\":1}"), 404, 10037);
            assertError(request(nc, "$JS.API.STREAM.MSG.GET.OK", "{}"), 400, 10003);
            JsonNode account = request(nc, "$JS.API.INFO", "");
            assertEquals("io.nats.jetstream.api.v1.account_info_response", account.path("type").asText());
            assertEquals(1, account.path("streams").asInt());
            assertTrue(account.path("api").path("errors").asInt() >= 10, account.toString());
        }
    }

    @Test
    void directGetServesStreamsThatAllowIt() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("KV").subjects("kv.>").allowDirect(true).build());
            jsm.addStream(StreamConfiguration.builder().name("PLAIN").subjects("plain.>").build());
            Headers h = new Headers().add("Owner", "meshsync");
            nc.jetStream().publish("kv.a", h, "first".getBytes(StandardCharsets.UTF_8));
            nc.jetStream().publish("kv.a", "second".getBytes(StandardCharsets.UTF_8));

            Message last = nc.request("$JS.API.DIRECT.GET.KV.kv.a", new byte[0], WAIT);
            assertArrayEquals("second".getBytes(StandardCharsets.UTF_8), last.getData());
            assertEquals("2", last.getHeaders().getFirst("Nats-Sequence"));
            assertEquals("KV", last.getHeaders().getFirst("Nats-Stream"));
            Message bySeq = nc.request("$JS.API.DIRECT.GET.KV", "{\"seq\":1}".getBytes(StandardCharsets.UTF_8), WAIT);
            assertEquals("meshsync", bySeq.getHeaders().getFirst("Owner"));
            assertEquals("kv.a", bySeq.getHeaders().getFirst("Nats-Subject"));
            Message missing = nc.request("$JS.API.DIRECT.GET.KV", "{\"seq\":9}".getBytes(StandardCharsets.UTF_8), WAIT);
            assertEquals(404, missing.getStatus().getCode());
            // jnats itself reads through direct gets for a stream that allows them
            assertArrayEquals("first".getBytes(StandardCharsets.UTF_8), jsm.getMessage("KV", 1).getData());

            long start = System.nanoTime();
            Message none = null;
            try {
                none = nc.request("$JS.API.DIRECT.GET.PLAIN", "{\"seq\":1}".getBytes(StandardCharsets.UTF_8), WAIT);
            } catch (Exception e) {
                assertTrue(e.getMessage() == null || !e.getMessage().isEmpty());
            }
            assertTrue(none == null || none.isStatusMessage() && none.getStatus().getCode() == 503,
                "no responders for a stream without allow_direct");
            assertTrue(System.nanoTime() - start < WAIT.toNanos() / 2, "answered at once");
        }
    }

    private static Connection connect(TestBroker broker) throws Exception {
        return Nats.connect(new Options.Builder().server(broker.url()).noReconnect()
            .errorListener(new io.nats.client.ErrorListener() { }).build());
    }
}
