package io.meshery.broker.jetstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshery.broker.testkit.TestBroker;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The consumer API through jnats' JetStreamManagement and raw requests: create, info, names, list, delete. */
class JetStreamConsumersIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static Connection connect(TestBroker broker) throws Exception {
        return Nats.connect(new Options.Builder().server(broker.url()).noReconnect()
            .errorListener(new io.nats.client.ErrorListener() { }).build());
    }

    static JsonNode request(Connection nc, String subject, String body) throws Exception {
        Message m = nc.request(subject, body.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
        return JSON.readTree(m.getData());
    }

    static void stream(Connection nc, String name, String subjects) throws Exception {
        nc.jetStreamManagement().addStream(StreamConfiguration.builder().name(name).subjects(subjects)
            .storageType(StorageType.File).build());
    }

    @Test
    void createInfoNamesListDelete() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            stream(nc, "ORDERS", "orders.>");
            for (int i = 0; i < 5; i++) {
                nc.jetStream().publish("orders.new", ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            JetStreamManagement jsm = nc.jetStreamManagement();
            ConsumerConfiguration cc = ConsumerConfiguration.builder().durable("d1").ackPolicy(AckPolicy.Explicit)
                .filterSubject("orders.new").build();
            ConsumerInfo created = jsm.addOrUpdateConsumer("ORDERS", cc);
            assertEquals("d1", created.getName());
            assertEquals("ORDERS", created.getStreamName());
            assertEquals(5, created.getNumPending());
            assertEquals(Duration.ofSeconds(30), created.getConsumerConfiguration().getAckWait());
            assertEquals(1000, created.getConsumerConfiguration().getMaxAckPending());
            assertEquals(512, created.getConsumerConfiguration().getMaxPullWaiting());
            assertEquals(DeliverPolicy.All, created.getConsumerConfiguration().getDeliverPolicy());
            assertEquals("d1", jsm.addOrUpdateConsumer("ORDERS", cc).getName(), "the same again is no error");

            jsm.addOrUpdateConsumer("ORDERS", ConsumerConfiguration.builder().durable("d2")
                .deliverPolicy(DeliverPolicy.New).build());
            assertEquals(0, jsm.getConsumerInfo("ORDERS", "d2").getNumPending());
            assertEquals(List.of("d1", "d2"), jsm.getConsumerNames("ORDERS"));
            assertEquals(2, jsm.getConsumers("ORDERS").size());
            assertEquals(2, jsm.getStreamInfo("ORDERS").getStreamState().getConsumerCount());

            JetStreamApiException changed = assertThrows(JetStreamApiException.class, () -> jsm.addOrUpdateConsumer(
                "ORDERS", ConsumerConfiguration.builder().durable("d2").deliverPolicy(DeliverPolicy.All).build()));
            assertEquals(10012, changed.getApiErrorCode());

            assertTrue(jsm.deleteConsumer("ORDERS", "d2"));
            JetStreamApiException gone = assertThrows(JetStreamApiException.class,
                () -> jsm.getConsumerInfo("ORDERS", "d2"));
            assertEquals(10014, gone.getApiErrorCode());
            assertEquals(404, gone.getErrorCode());
            JetStreamApiException noStream = assertThrows(JetStreamApiException.class,
                () -> jsm.getConsumerInfo("NOPE", "d1"));
            assertEquals(10059, noStream.getApiErrorCode());
            assertEquals(List.of("d1"), jsm.getConsumerNames("ORDERS"));
        }
    }

    @Test
    void theCreateSubjectsAndTheirJson() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            stream(nc, "S", "s.>");
            nc.jetStream().publish("s.a", new byte[] {1});
            nc.jetStream().publish("s.b", new byte[] {2});

            JsonNode eph = request(nc, "$JS.API.CONSUMER.CREATE.S", "{\"stream_name\":\"S\",\"config\":{}}");
            assertEquals("io.nats.jetstream.api.v1.consumer_create_response", eph.get("type").asText());
            assertEquals(8, eph.get("name").asText().length(), "an ephemeral gets a generated name");
            assertEquals("all", eph.at("/config/deliver_policy").asText());
            assertEquals("none", eph.at("/config/ack_policy").asText());
            assertEquals(-1, eph.at("/config/max_deliver").asLong());
            assertEquals("instant", eph.at("/config/replay_policy").asText());
            assertEquals(0, eph.at("/config/num_replicas").asInt());
            assertEquals(2, eph.get("num_pending").asLong());
            assertEquals(0, eph.at("/delivered/consumer_seq").asLong());
            JsonNode durableOnPlainCreate = request(nc, "$JS.API.CONSUMER.CREATE.S",
                "{\"stream_name\":\"S\",\"config\":{\"durable_name\":\"d\"}}");
            assertEquals(10020, durableOnPlainCreate.at("/error/err_code").asInt(), durableOnPlainCreate.toString());
            assertEquals(0, eph.at("/ack_floor/stream_seq").asLong());
            assertFalse(eph.has("cluster"));

            JsonNode filtered = request(nc, "$JS.API.CONSUMER.CREATE.S.f1.s.b",
                "{\"stream_name\":\"S\",\"config\":{\"durable_name\":\"f1\",\"filter_subject\":\"s.b\","
                    + "\"ack_policy\":\"explicit\"}}");
            assertEquals("f1", filtered.get("name").asText(), filtered.toString());
            assertEquals(1, filtered.get("num_pending").asLong());

            JsonNode mismatch = request(nc, "$JS.API.CONSUMER.CREATE.S.f2.s.b",
                "{\"stream_name\":\"S\",\"config\":{\"filter_subject\":\"s.a\"}}");
            assertEquals(10131, mismatch.at("/error/err_code").asInt());

            JsonNode legacy = request(nc, "$JS.API.CONSUMER.DURABLE.CREATE.S.old",
                "{\"stream_name\":\"S\",\"config\":{\"durable_name\":\"old\",\"ack_policy\":\"all\"}}");
            assertEquals("io.nats.jetstream.api.v1.consumer_create_response", legacy.get("type").asText());
            assertEquals("old", legacy.at("/config/durable_name").asText());
            JsonNode notMatching = request(nc, "$JS.API.CONSUMER.DURABLE.CREATE.S.old",
                "{\"stream_name\":\"S\",\"config\":{\"durable_name\":\"other\"}}");
            assertEquals(10017, notMatching.at("/error/err_code").asInt());

            JsonNode byTime = request(nc, "$JS.API.CONSUMER.CREATE.S.t",
                "{\"stream_name\":\"S\",\"config\":{\"deliver_policy\":\"by_start_sequence\",\"opt_start_seq\":2}}");
            assertEquals(1, byTime.get("num_pending").asLong());
            JsonNode badPolicy = request(nc, "$JS.API.CONSUMER.CREATE.S.u",
                "{\"stream_name\":\"S\",\"config\":{\"deliver_policy\":\"by_start_sequence\"}}");
            assertEquals(10094, badPolicy.at("/error/err_code").asInt());
            JsonNode last = request(nc, "$JS.API.CONSUMER.CREATE.S.l",
                "{\"stream_name\":\"S\",\"config\":{\"deliver_policy\":\"last\"}}");
            assertEquals(1, last.get("num_pending").asLong());

            JsonNode noStream = request(nc, "$JS.API.CONSUMER.CREATE.X",
                "{\"stream_name\":\"X\",\"config\":{}}");
            assertEquals(10059, noStream.at("/error/err_code").asInt());
            JsonNode noConfig = request(nc, "$JS.API.CONSUMER.CREATE.S", "{\"stream_name\":\"S\"}");
            assertEquals(10078, noConfig.at("/error/err_code").asInt());

            JsonNode names = request(nc, "$JS.API.CONSUMER.NAMES.S", "");
            assertEquals("io.nats.jetstream.api.v1.consumer_names_response", names.get("type").asText());
            assertEquals(5, names.get("total").asInt());
            JsonNode list = request(nc, "$JS.API.CONSUMER.LIST.S", "{\"offset\":4}");
            assertEquals(1, list.get("consumers").size());
            assertEquals(4, list.get("offset").asInt());
            JsonNode deleted = request(nc, "$JS.API.CONSUMER.DELETE.S.f1", "");
            assertTrue(deleted.get("success").asBoolean());
            assertEquals(10014, request(nc, "$JS.API.CONSUMER.DELETE.S.f1", "").at("/error/err_code").asInt());
            assertEquals(4, request(nc, "$JS.API.INFO", "").get("consumers").asInt());
        }
    }

    @Test
    void deletesTellWaitersAndInactiveEphemeralsGoAway() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            stream(nc, "S", "s.>");
            request(nc, "$JS.API.CONSUMER.CREATE.S.w", "{\"stream_name\":\"S\",\"config\":{\"durable_name\":\"w\","
                + "\"ack_policy\":\"explicit\"}}");
            io.nats.client.Subscription inbox = nc.subscribe("waiter");
            nc.publish("$JS.API.CONSUMER.MSG.NEXT.S.w", "waiter", "{\"batch\":1,\"expires\":5000000000}"
                .getBytes(StandardCharsets.UTF_8));
            io.meshery.broker.testkit.Poll.until(Duration.ofSeconds(5), "the request waits",
                () -> waiting(nc, "w") == 1);
            request(nc, "$JS.API.CONSUMER.DELETE.S.w", "");
            Message deleted = inbox.nextMessage(Duration.ofSeconds(2));
            assertEquals(409, deleted.getStatus().getCode());
            assertEquals("Consumer Deleted", deleted.getStatus().getMessage());
            assertFalse(java.nio.file.Files.exists(dir.resolve("streams/S/consumers/w")), "its files are gone");

            JsonNode eph = request(nc, "$JS.API.CONSUMER.CREATE.S", "{\"stream_name\":\"S\",\"config\":"
                + "{\"ack_policy\":\"explicit\",\"inactive_threshold\":300000000}}");
            String name = eph.get("name").asText();
            assertEquals(300_000_000L, eph.at("/config/inactive_threshold").asLong());
            io.meshery.broker.testkit.Poll.until(Duration.ofSeconds(5), "the inactive ephemeral is deleted",
                () -> {
                    try {
                        return request(nc, "$JS.API.CONSUMER.INFO.S." + name, "").has("error");
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });

            request(nc, "$JS.API.CONSUMER.CREATE.S.keep", "{\"stream_name\":\"S\",\"config\":{\"durable_name\":\"keep\"}}");
            assertTrue(java.nio.file.Files.exists(dir.resolve("streams/S/consumers/keep/consumer.json")));
            nc.jetStreamManagement().deleteStream("S");
            assertFalse(java.nio.file.Files.exists(dir.resolve("streams/S")));
        }
    }

    private static long waiting(Connection nc, String consumer) {
        try {
            return request(nc, "$JS.API.CONSUMER.INFO.S." + consumer, "").get("num_waiting").asLong();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
