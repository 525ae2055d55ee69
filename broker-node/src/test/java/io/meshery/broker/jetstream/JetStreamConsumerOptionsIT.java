package io.meshery.broker.jetstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Consumer options through jnats: {@code backoff} redelivery steps and {@code filter_subjects}. */
class JetStreamConsumerOptionsIT {

    @TempDir
    Path dir;

    @Test
    void backoffSpacesTheRedeliveriesStepByStep() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = Nats.connect(broker.url())) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("B").subjects("b.>").build());
            JetStreamApiException tooFew = assertThrows(JetStreamApiException.class, () -> jsm.addOrUpdateConsumer("B",
                ConsumerConfiguration.builder().durable("x").ackPolicy(AckPolicy.Explicit)
                    .backoff(Duration.ofMillis(100), Duration.ofMillis(200)).maxDeliver(2).build()));
            assertEquals(10116, tooFew.getApiErrorCode());
            ConsumerInfo info = jsm.addOrUpdateConsumer("B", ConsumerConfiguration.builder().durable("d")
                .ackPolicy(AckPolicy.Explicit).backoff(Duration.ofMillis(250), Duration.ofMillis(1000))
                .maxDeliver(4).build());
            assertEquals(Duration.ofMillis(250), info.getConsumerConfiguration().getAckWait(), "ack_wait = backoff[0]");
            assertEquals(2, info.getConsumerConfiguration().getBackoff().size());

            JetStream js = nc.jetStream();
            js.publish("b.x", "once".getBytes(StandardCharsets.UTF_8));
            JetStreamSubscription sub = js.subscribe(null, PullSubscribeOptions.bind("B", "d"));
            List<Long> at = new ArrayList<>();
            for (int delivery = 1; delivery <= 4; delivery++) {
                List<Message> got = sub.fetch(1, Duration.ofSeconds(5));
                assertEquals(1, got.size(), "delivery " + delivery);
                assertEquals(delivery, got.get(0).metaData().deliveredCount());
                at.add(System.nanoTime());
            }
            long first = (at.get(1) - at.get(0)) / 1_000_000;
            long second = (at.get(2) - at.get(1)) / 1_000_000;
            long third = (at.get(3) - at.get(2)) / 1_000_000;
            assertTrue(first >= 200 && first < 900, "first redelivery after the first step: " + first + " ms");
            assertTrue(second >= 900 && second < 2500, "then the second step: " + second + " ms");
            assertTrue(third >= 900 && third < 2500, "and the last step again: " + third + " ms");
            assertTrue(sub.fetch(1, Duration.ofMillis(1500)).isEmpty(), "max_deliver 4: no fifth delivery");
        }
    }

    private static String api(Connection nc, String subject, String json) throws Exception {
        Message reply = nc.request(subject, json.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
        return new String(reply.getData(), StandardCharsets.UTF_8);
    }

    @Test
    void filterSubjectsTakeSeveralSubjectsAndAreChecked() throws Exception {
        try (TestBroker broker = TestBroker.startWithJetStream(dir); Connection nc = Nats.connect(broker.url())) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("F").subjects("f.>").build());
            // jnats sends several filters only to servers of 2.10 and later (we report 2.9.10): the raw API here
            String overlap = api(nc, "$JS.API.CONSUMER.DURABLE.CREATE.F.o",
                "{\"stream_name\":\"F\",\"config\":{\"durable_name\":\"o\",\"filter_subjects\":[\"f.a.>\",\"f.*.x\"]}}");
            assertTrue(overlap.contains("\"err_code\":10136"), overlap);
            String both = api(nc, "$JS.API.CONSUMER.DURABLE.CREATE.F.o", "{\"stream_name\":\"F\",\"config\":"
                + "{\"durable_name\":\"o\",\"filter_subject\":\"f.a\",\"filter_subjects\":[\"f.b\"]}}");
            assertTrue(both.contains("\"err_code\":10134"), both);
            String created = api(nc, "$JS.API.CONSUMER.DURABLE.CREATE.F.two", "{\"stream_name\":\"F\",\"config\":"
                + "{\"durable_name\":\"two\",\"ack_policy\":\"explicit\",\"filter_subjects\":[\"f.a\",\"f.c.>\"]}}");
            assertTrue(created.contains("\"filter_subjects\":[\"f.a\",\"f.c.>\"]"), created);
            ConsumerInfo info = jsm.getConsumerInfo("F", "two");
            assertEquals(List.of("f.a", "f.c.>"), info.getConsumerConfiguration().getFilterSubjects());
            JetStream js = nc.jetStream();
            for (String subject : List.of("f.a", "f.b", "f.c.1", "f.d", "f.c.2", "f.a")) {
                js.publish(subject, subject.getBytes(StandardCharsets.UTF_8));
            }
            assertEquals(4, jsm.getConsumerInfo("F", "two").getNumPending());
            JetStreamSubscription sub = js.subscribe(null, PullSubscribeOptions.bind("F", "two"));
            List<String> subjects = new ArrayList<>();
            for (Message m : sub.fetch(10, Duration.ofSeconds(2))) {
                subjects.add(m.getSubject());
                m.ack();
            }
            assertEquals(List.of("f.a", "f.c.1", "f.c.2", "f.a"), subjects);
            Message none = sub.fetch(1, Duration.ofMillis(300)).stream().findFirst().orElse(null);
            assertEquals(null, none);
            assertNotNull(info);
        }
    }
}
