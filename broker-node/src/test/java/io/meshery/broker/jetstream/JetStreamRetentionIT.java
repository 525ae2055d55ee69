package io.meshery.broker.jetstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestBroker;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.PublishAck;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention with consumers, through jnats: a work queue drops a message once a consumer acknowledges it and takes
 * one consumer per subject; an interest stream keeps a message until every consumer that wants it acknowledged it,
 * and keeps nothing nobody wants.
 */
class JetStreamRetentionIT {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private static long messages(JetStreamManagement jsm, String stream) throws Exception {
        return jsm.getStreamInfo(stream).getStreamState().getMsgCount();
    }

    private static void publish(JetStream js, String subject, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            js.publish(subject, ("m" + i).getBytes(StandardCharsets.UTF_8));
        }
    }

    private static int apiError(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(JetStreamApiException.class, e).getApiErrorCode();
    }

    @Test
    void aWorkQueueDropsWhatIsAcknowledgedAndTakesOneConsumerPerSubject() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = Nats.connect(broker.url())) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("WQ").subjects("wq.>")
                .retentionPolicy(RetentionPolicy.WorkQueue).build());
            assertEquals(10098, apiError(() -> jsm.addOrUpdateConsumer("WQ", ConsumerConfiguration.builder()
                .durable("none").ackPolicy(AckPolicy.None).deliverSubject("x.none").build())));
            assertEquals(10101, apiError(() -> jsm.addOrUpdateConsumer("WQ", ConsumerConfiguration.builder()
                .durable("last").ackPolicy(AckPolicy.Explicit).deliverPolicy(DeliverPolicy.Last).build())));
            jsm.addOrUpdateConsumer("WQ", ConsumerConfiguration.builder().durable("orders")
                .filterSubject("wq.orders.>").ackPolicy(AckPolicy.Explicit).build());
            assertEquals(10099, apiError(() -> jsm.addOrUpdateConsumer("WQ", ConsumerConfiguration.builder()
                .durable("all").ackPolicy(AckPolicy.Explicit).build())));
            assertEquals(10100, apiError(() -> jsm.addOrUpdateConsumer("WQ", ConsumerConfiguration.builder()
                .durable("overlap").filterSubject("wq.*.eu").ackPolicy(AckPolicy.Explicit).build())));
            jsm.addOrUpdateConsumer("WQ", ConsumerConfiguration.builder().durable("users")
                .filterSubject("wq.users.>").ackPolicy(AckPolicy.Explicit).build());

            JetStream js = nc.jetStream();
            publish(js, "wq.orders.eu", 10);
            publish(js, "wq.users.eu", 4);
            assertEquals(14, messages(jsm, "WQ"));
            JetStreamSubscription orders = js.subscribe(null, PullSubscribeOptions.bind("WQ", "orders"));
            List<Message> got = orders.fetch(10, WAIT);
            assertEquals(10, got.size());
            for (int i = 0; i < 6; i++) {
                got.get(i).ackSync(WAIT);
            }
            assertEquals(8, messages(jsm, "WQ"), "six acknowledged orders are gone");
            got.get(6).term();
            got.get(7).nak();
            nc.flush(WAIT);
            Poll.until(WAIT, "the terminated one gone", () -> {
                try {
                    return messages(jsm, "WQ") == 7;
                } catch (Exception e) {
                    return false;
                }
            });
            for (int i = 8; i < 10; i++) {
                got.get(i).ackSync(WAIT);
            }
            assertEquals(5, messages(jsm, "WQ"), "the nak'd order and the four users are left");
        }
    }

    @Test
    void anInterestStreamKeepsAMessageUntilEveryConsumerThatWantsItAcknowledgedIt() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = Nats.connect(broker.url())) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("INT").subjects("int.>")
                .retentionPolicy(RetentionPolicy.Interest).build());
            JetStream js = nc.jetStream();
            PublishAck first = js.publish("int.a", "nobody".getBytes(StandardCharsets.UTF_8));
            assertEquals(1, first.getSeqno(), "acknowledged, with its sequence");
            assertEquals(0, messages(jsm, "INT"), "no consumer: not kept");
            var state = jsm.getStreamInfo("INT").getStreamState();
            assertEquals(2, state.getFirstSequence(), "as nats-server 2.9.10: first 2, last 1");
            assertEquals(1, state.getLastSequence());

            jsm.addOrUpdateConsumer("INT", ConsumerConfiguration.builder().durable("a").filterSubject("int.a")
                .ackPolicy(AckPolicy.Explicit).build());
            jsm.addOrUpdateConsumer("INT", ConsumerConfiguration.builder().durable("all")
                .ackPolicy(AckPolicy.All).build());
            publish(js, "int.a", 2);
            publish(js, "int.b", 2);
            assertEquals(4, messages(jsm, "INT"));

            JetStreamSubscription all = js.subscribe(null, PullSubscribeOptions.bind("INT", "all"));
            List<Message> allGot = all.fetch(4, WAIT);
            assertEquals(4, allGot.size());
            allGot.get(3).ackSync(WAIT); // ack all: everything up to the last
            assertEquals(2, messages(jsm, "INT"), "int.b had no other consumer; int.a waits for consumer a");

            JetStreamSubscription a = js.subscribe(null, PullSubscribeOptions.bind("INT", "a"));
            List<Message> aGot = a.fetch(2, WAIT);
            assertEquals(2, aGot.size());
            aGot.get(0).ackSync(WAIT);
            assertEquals(1, messages(jsm, "INT"));
            aGot.get(1).ackSync(WAIT);
            assertEquals(0, messages(jsm, "INT"), "every consumer acknowledged it");
        }
    }
}
