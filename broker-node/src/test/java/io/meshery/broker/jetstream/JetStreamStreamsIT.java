package io.meshery.broker.jetstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.TestBroker;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.PurgeOptions;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stream half of JetStream through the official jnats client: create, publish, read back, restart. */
class JetStreamStreamsIT {

    @TempDir
    Path dir;

    private static Connection connect(TestBroker broker) throws Exception {
        return Nats.connect(new Options.Builder().server(broker.url()).noReconnect()
            .errorListener(new io.nats.client.ErrorListener() { }).build());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void createPublishReadBackAndSurviveARestart() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            assertTrue(nc.getServerInfo().isJetStreamAvailable(), "INFO says jetstream");
            JetStreamManagement jsm = nc.jetStreamManagement();
            StreamConfiguration config = StreamConfiguration.builder().name("ORDERS").subjects("orders.>")
                .storageType(StorageType.File).build();
            StreamInfo created = jsm.addStream(config);
            assertEquals("ORDERS", created.getConfiguration().getName());
            assertEquals(0, created.getStreamState().getMsgCount());
            jsm.addStream(config); // the same configuration again: no error

            JetStream js = nc.jetStream();
            PublishAck first = js.publish("orders.new", bytes("one"));
            assertEquals("ORDERS", first.getStream());
            assertEquals(1, first.getSeqno());
            assertEquals(2, js.publish("orders.paid", bytes("two")).getSeqno());

            StreamInfo info = jsm.getStreamInfo("ORDERS");
            assertEquals(2, info.getStreamState().getMsgCount());
            assertEquals(2, info.getStreamState().getLastSequence());
            MessageInfo m = jsm.getMessage("ORDERS", 2);
            assertEquals("orders.paid", m.getSubject());
            assertArrayEquals(bytes("two"), m.getData());
            assertEquals("one", new String(jsm.getLastMessage("ORDERS", "orders.new").getData(),
                StandardCharsets.UTF_8));
        }
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            StreamInfo info = jsm.getStreamInfo("ORDERS");
            assertEquals(2, info.getStreamState().getMsgCount(), "the stream came back from disk");
            assertArrayEquals(bytes("one"), jsm.getMessage("ORDERS", 1).getData());
            assertEquals(3, nc.jetStream().publish("orders.shipped", bytes("three")).getSeqno());
        }
    }

    @Test
    void messageIdsDeduplicateAndExpectationsAreChecked() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("EVENTS").subjects("events.*").build());
            JetStream js = nc.jetStream();
            PublishAck a = js.publish("events.a", bytes("x"), PublishOptions.builder().messageId("id-1").build());
            PublishAck again = js.publish("events.a", bytes("x"), PublishOptions.builder().messageId("id-1").build());
            assertFalse(a.isDuplicate());
            assertTrue(again.isDuplicate());
            assertEquals(a.getSeqno(), again.getSeqno());
            assertEquals(1, jsm.getStreamInfo("EVENTS").getStreamState().getMsgCount());

            JetStreamApiException wrong = assertThrows(JetStreamApiException.class, () -> js.publish("events.b",
                bytes("y"), PublishOptions.builder().expectedLastSequence(7).build()));
            assertEquals(10071, wrong.getApiErrorCode());
            assertEquals(2, js.publish("events.b", bytes("y"),
                PublishOptions.builder().expectedLastSequence(1).build()).getSeqno());
            JetStreamApiException stream = assertThrows(JetStreamApiException.class, () -> js.publish("events.c",
                bytes("z"), PublishOptions.builder().expectedStream("OTHER").build()));
            assertEquals(10060, stream.getApiErrorCode());
            assertEquals(3, js.publish("events.a", bytes("z"),
                PublishOptions.builder().expectedLastSubjectSequence(1).build()).getSeqno());
        }
    }

    @Test
    void errorsAsNatsServerAnswersThem() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("A").subjects("a.>").build());
            JetStreamApiException inUse = assertThrows(JetStreamApiException.class,
                () -> jsm.addStream(StreamConfiguration.builder().name("A").subjects("a.>").maxMessages(5).build()));
            assertEquals(10058, inUse.getApiErrorCode());
            JetStreamApiException overlap = assertThrows(JetStreamApiException.class,
                () -> jsm.addStream(StreamConfiguration.builder().name("B").subjects("a.b").build()));
            assertEquals(10065, overlap.getApiErrorCode());
            JetStreamApiException missing = assertThrows(JetStreamApiException.class, () -> jsm.getStreamInfo("NOPE"));
            assertEquals(10059, missing.getApiErrorCode());
            JetStreamApiException noMsg = assertThrows(JetStreamApiException.class, () -> jsm.getMessage("A", 99));
            assertEquals(10037, noMsg.getApiErrorCode());
            JetStreamApiException storage = assertThrows(JetStreamApiException.class, () -> jsm.updateStream(
                StreamConfiguration.builder().name("A").subjects("a.>").storageType(StorageType.Memory).build()));
            assertEquals(10052, storage.getApiErrorCode());
            assertEquals(1, jsm.getStreamNames().size(), "nothing stored changed");
            // a subject no stream covers: no responders at once, as nats-server
            IOException none = assertThrows(IOException.class, () -> nc.jetStream().publish("nobody.here", bytes("x")));
            assertTrue(none.getMessage().contains("503"), none.getMessage());
        }
    }

    @Test
    void purgeDeleteNamesListAndMemoryStreams() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = connect(broker)) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("MEM").subjects("mem.*")
                .storageType(StorageType.Memory).maxMessages(3).build());
            jsm.addStream(StreamConfiguration.builder().name("FILE").subjects("file.*").build());
            JetStream js = nc.jetStream();
            for (int i = 0; i < 5; i++) {
                js.publish("mem." + (i % 2 == 0 ? "even" : "odd"), bytes("m" + i));
            }
            StreamInfo mem = jsm.getStreamInfo("MEM");
            assertEquals(3, mem.getStreamState().getMsgCount(), "max_msgs 3 discards the oldest");
            assertEquals(3, mem.getStreamState().getFirstSequence());
            assertEquals(2, jsm.purgeStream("MEM", PurgeOptions.subject("mem.even")).getPurged());
            assertTrue(jsm.deleteMessage("MEM", 4));
            assertEquals(0, jsm.getStreamInfo("MEM").getStreamState().getMsgCount());
            assertEquals(List.of("FILE", "MEM"), jsm.getStreamNames().stream().sorted().toList());
            assertEquals(2, jsm.getStreams().size());
            assertTrue(jsm.deleteStream("FILE"));
            assertEquals(List.of("MEM"), jsm.getStreamNames());
            assertEquals(1, jsm.getAccountStatistics().getStreams());
        }
    }

    @Test
    void withoutJetStreamARequestGetsNoResponders() throws Exception {
        try (TestBroker broker = TestBroker.start(); Connection nc = connect(broker)) {
            assertFalse(nc.getServerInfo().isJetStreamAvailable());
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class,
                () -> nc.jetStreamManagement().addStream(StreamConfiguration.builder().name("X").build()));
            // jnats turns the 503 no-responders status into this message; it comes at once, not after its timeout
            assertTrue(e.getMessage().contains("no response"), e.getMessage());
            assertTrue(System.nanoTime() - start < 1_000_000_000L, "answered at once by no responders");
        }
    }
}
