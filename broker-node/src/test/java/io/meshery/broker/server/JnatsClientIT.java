package io.meshery.broker.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestBroker;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official Java client, unchanged, against the broker. */
class JnatsClientIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static TestBroker broker;

    @BeforeAll
    static void start() {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static Connection connect(String name) throws Exception {
        return Nats.connect(new Options.Builder().server(broker.url()).connectionName(name).noReconnect()
            .errorListener(new io.nats.client.ErrorListener() { }).build());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void publishSubscribeWithWildcards() throws Exception {
        try (Connection pub = connect("pub"); Connection sub = connect("sub")) {
            Subscription literal = sub.subscribe("meshery.meshsync.core");
            Subscription star = sub.subscribe("meshery.*.core");
            Subscription tail = sub.subscribe("meshery.>");
            Subscription other = sub.subscribe("other.>");
            sub.flush(WAIT);
            pub.publish("meshery.meshsync.core", bytes("event"));
            for (Subscription s : List.of(literal, star, tail)) {
                Message m = s.nextMessage(WAIT);
                assertNotNull(m, s.getSubject());
                assertEquals("meshery.meshsync.core", m.getSubject());
                assertEquals("event", new String(m.getData(), StandardCharsets.UTF_8));
            }
            pub.flush(WAIT);
            sub.flush(WAIT);
            assertNull(other.nextMessage(Duration.ofMillis(50)));
            assertNull(literal.nextMessage(Duration.ofMillis(50)));
        }
    }

    @Test
    void queueGroupDeliversEachMessageOnceAndSpreadsThem() throws Exception {
        int members = 4;
        int messages = 4000;
        try (Connection pub = connect("pub"); Connection plain = connect("plain")) {
            List<Connection> conns = new ArrayList<>();
            ConcurrentHashMap<String, Integer> seen = new ConcurrentHashMap<>();
            AtomicInteger[] perMember = new AtomicInteger[members];
            try {
                for (int i = 0; i < members; i++) {
                    Connection c = connect("member-" + i);
                    conns.add(c);
                    AtomicInteger count = perMember[i] = new AtomicInteger();
                    Dispatcher d = c.createDispatcher(m -> {
                        seen.merge(new String(m.getData(), StandardCharsets.UTF_8), 1, Integer::sum);
                        count.incrementAndGet();
                    });
                    d.subscribe("work", "meshsync-request-stream");
                    c.flush(WAIT);
                }
                Subscription all = plain.subscribe("work");
                plain.flush(WAIT);
                for (int i = 0; i < messages; i++) {
                    pub.publish("work", bytes("m" + i));
                }
                pub.flush(WAIT);
                Poll.until(WAIT, "all queue messages", () -> seen.size() == messages);
                for (int i = 0; i < messages; i++) {
                    assertNotNull(all.nextMessage(WAIT), "plain subscriber message " + i);
                }
                conns.forEach(c -> {
                    try {
                        c.flush(WAIT);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertTrue(seen.values().stream().allMatch(n -> n == 1), "a message went to two members");
                for (AtomicInteger c : perMember) {
                    assertTrue(c.get() > messages / members / 2, "uneven spread: " + List.of(perMember));
                }
            } finally {
                for (Connection c : conns) {
                    c.close();
                }
            }
        }
    }

    @Test
    void requestReply() throws Exception {
        try (Connection requester = connect("requester"); Connection responder = connect("responder")) {
            Dispatcher d = responder.createDispatcher(m -> responder.publish(m.getReplyTo(),
                bytes("re:" + new String(m.getData(), StandardCharsets.UTF_8))));
            d.subscribe("svc.echo");
            responder.flush(WAIT);
            for (int i = 0; i < 100; i++) {
                Message reply = requester.request("svc.echo", bytes("q" + i), WAIT);
                assertNotNull(reply);
                assertEquals("re:q" + i, new String(reply.getData(), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void noRespondersFailsTheRequestAtOnce() throws Exception {
        try (Connection requester = connect("requester")) {
            var future = requester.requestWithTimeout("nobody.listens", bytes("?"), Duration.ofSeconds(30));
            // jnats cancels the request's future when the 503 status arrives; a timeout would take 30 s.
            assertThrows(CancellationException.class, () -> future.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void headersRoundTrip() throws Exception {
        try (Connection pub = connect("pub"); Connection sub = connect("sub")) {
            Subscription s = sub.subscribe("with.headers");
            sub.flush(WAIT);
            Headers h = new Headers().add("Nats-Msg-Id", "42").add("X-Multi", "a", "b");
            pub.publish(NatsMessage.builder().subject("with.headers").headers(h).data(bytes("body")).build());
            Message m = s.nextMessage(WAIT);
            assertNotNull(m);
            assertEquals("42", m.getHeaders().getFirst("Nats-Msg-Id"));
            assertEquals(List.of("a", "b"), m.getHeaders().get("X-Multi"));
            assertEquals("body", new String(m.getData(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void zeroLengthAndOneMebibytePayloads() throws Exception {
        try (Connection pub = connect("pub"); Connection sub = connect("sub")) {
            Subscription s = sub.subscribe("sizes");
            sub.flush(WAIT);
            byte[] big = new byte[1024 * 1024];
            new Random(3).nextBytes(big);
            pub.publish("sizes", new byte[0]);
            pub.publish("sizes", big);
            Message empty = s.nextMessage(WAIT);
            assertNotNull(empty);
            assertEquals(0, empty.getData() == null ? 0 : empty.getData().length);
            Message m = s.nextMessage(WAIT);
            assertNotNull(m);
            assertArrayEquals(big, m.getData());
            assertThrows(IllegalArgumentException.class, () -> pub.publish("sizes", new byte[1024 * 1024 + 1]));
        }
    }

    @Test
    void hundredThousandMessagesArriveInOrderWithNoneLost() throws Exception {
        int n = 100_000;
        try (Connection pub = connect("pub"); Connection sub = connect("sub")) {
            Subscription s = sub.subscribe("ordered.>");
            sub.flush(WAIT);
            for (int i = 0; i < n; i++) {
                pub.publish("ordered." + (i % 7), bytes(Integer.toString(i)));
            }
            pub.flush(WAIT);
            for (int i = 0; i < n; i++) {
                Message m = s.nextMessage(WAIT);
                assertNotNull(m, "message " + i + " lost");
                assertEquals(Integer.toString(i), new String(m.getData(), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void twoHundredConcurrentConnections() throws Exception {
        int n = 200;
        List<Connection> conns = new ArrayList<>();
        try (Connection pub = connect("fanout-pub")) {
            List<Subscription> subs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Connection c = connect("conn-" + i);
                conns.add(c);
                subs.add(c.subscribe("broadcast"));
            }
            for (Connection c : conns) {
                c.flush(WAIT);
            }
            assertTrue(broker.node().server().connectionCount() >= n + 1);
            pub.publish("broadcast", bytes("to all"));
            for (Subscription s : subs) {
                Message m = s.nextMessage(WAIT);
                assertNotNull(m);
                assertEquals("to all", new String(m.getData(), StandardCharsets.UTF_8));
            }
        } finally {
            for (Connection c : conns) {
                c.close();
            }
        }
    }
}
