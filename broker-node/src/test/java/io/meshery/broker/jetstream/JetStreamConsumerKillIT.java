package io.meshery.broker.jetstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshery.broker.testkit.BrokerProcess;
import io.meshery.broker.testkit.Poll;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a real broker process while a durable pull consumer has acknowledged some messages and holds others
 * unacknowledged: after a restart it resumes at its ack floor; only what was in flight comes again.
 */
class JetStreamConsumerKillIT {

    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void aDurableResumesAtItsAckFloorAfterAKill() throws Exception {
        try (BrokerProcess broker = start(); Connection nc = connect(broker)) {
            nc.jetStreamManagement().addStream(StreamConfiguration.builder().name("Q").subjects("q.>").build());
            JetStream js = nc.jetStream();
            for (int i = 1; i <= 100; i++) {
                js.publish("q.work", ("job " + i).getBytes(StandardCharsets.UTF_8));
            }
            JetStreamSubscription sub = js.subscribe("q.work", PullSubscribeOptions.builder().durable("workers")
                .configuration(ConsumerConfiguration.builder().ackPolicy(AckPolicy.Explicit)
                    .ackWait(Duration.ofMinutes(5)).build()).build());
            List<Message> first = sub.fetch(60, WAIT);
            assertEquals(60, first.size());
            for (Message m : first) {
                m.ackSync(WAIT);
            }
            assertEquals(10, sub.fetch(10, WAIT).size()); // delivered, never acknowledged: in flight at the kill
            // The consumer's state is written behind the acks (at most every 100 ms): wait until it is on disk.
            Path state = dir.resolve("streams/Q/consumers/workers/state.json");
            ObjectMapper json = new ObjectMapper();
            Poll.until(WAIT, "the ack floor of 60 on disk", () -> ackFloor(json, state) == 60);
            broker.process().destroyForcibly();
            broker.process().waitFor();
        }
        try (BrokerProcess broker = start(); Connection nc = connect(broker)) {
            JetStreamSubscription sub = nc.jetStream().subscribe("q.work",
                PullSubscribeOptions.builder().durable("workers").build());
            TreeSet<Long> seen = new TreeSet<>();
            List<Long> order = new java.util.ArrayList<>();
            for (int round = 0; round < 10 && seen.size() < 40; round++) {
                for (Message m : sub.fetch(40, Duration.ofSeconds(2))) {
                    long seq = m.metaData().streamSequence();
                    assertEquals("job " + seq, new String(m.getData(), StandardCharsets.UTF_8));
                    seen.add(seq);
                    order.add(seq);
                    m.ackSync(WAIT);
                }
            }
            assertEquals(61L, seen.first(), "nothing acknowledged before the kill comes again: " + order);
            assertEquals(100L, seen.last());
            assertEquals(40, seen.size(), "every unacknowledged message, once: " + order);
            assertTrue(order.subList(0, 10).stream().allMatch(s -> s >= 61 && s <= 70),
                "the in-flight ones are redelivered first: " + order);
        }
    }

    /** The stream sequence of the ack floor in the consumer's state file; -1 while there is none to read. */
    private static long ackFloor(ObjectMapper json, Path state) {
        try {
            return Files.exists(state) ? json.readTree(state.toFile()).path("ack_floor").path("stream_seq").asLong() : -1;
        } catch (java.io.IOException e) {
            return -1; // being replaced right now: look again
        }
    }

    private BrokerProcess start() throws Exception {
        BrokerProcess p = BrokerProcess.start("-a", "127.0.0.1", "-p", "-1", "-m", "0", "-js", "-sd", dir.toString());
        p.clientPort(START);
        return p;
    }

    private static Connection connect(BrokerProcess broker) throws Exception {
        return Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + broker.clientPort(START))
            .noReconnect().errorListener(new io.nats.client.ErrorListener() { }).build());
    }
}
