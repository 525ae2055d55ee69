package io.meshery.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestBroker;
import io.meshery.broker.testkit.WireClient;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Connection, subscription and pending limits, keep-alive, and slow consumers. */
class LimitsIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String QUIET = "{\"verbose\":false,\"pedantic\":false}";

    @Test
    void refusedClientGetsInfoThenMaximumConnectionsExceeded() throws Exception {
        try (TestBroker broker = TestBroker.start(o -> o.maxConnections(2));
             WireClient a = WireClient.connect(broker.port(), QUIET);
             WireClient b = WireClient.connect(broker.port(), QUIET);
             WireClient refused = WireClient.connect(broker.port())) {
            refused.expect("-ERR 'maximum connections exceeded'");
            refused.expectClosed();
            a.send("PING\r\n").expect("PONG");
            b.close();
            Poll.until(WAIT, "a free slot", () -> broker.node().server().connectionCount() == 1);
            try (WireClient c = WireClient.connect(broker.port(), QUIET)) {
                c.send("PING\r\n").expect("PONG");
            }
        }
    }

    @Test
    void maximumSubscriptionsIsAnErrorThatKeepsTheConnection() throws Exception {
        try (TestBroker broker = TestBroker.start(o -> o.maxSubscriptions(2));
             WireClient c = WireClient.connect(broker.port(), QUIET)) {
            c.send("SUB a 1\r\nSUB b 2\r\nSUB c 3\r\nPING\r\n").expect("-ERR 'maximum subscriptions exceeded'").expect("PONG");
            c.send("UNSUB 1\r\nSUB c 3\r\nPUB c 1\r\nx\r\nPING\r\n").expect("MSG c 3 1").expect("x").expect("PONG");
        }
    }

    @Test
    void configuredMaxPayloadIsAnnouncedAndEnforced() throws Exception {
        try (TestBroker broker = TestBroker.start(o -> o.maxPayload(100));
             WireClient c = new WireClient(broker.port())) {
            assertTrue(c.readLine(WAIT).contains("\"max_payload\":100"));
            c.send("PUB a 100\r\n" + "x".repeat(100) + "\r\nPUB a 101\r\n").expect("+OK");
            c.expect("-ERR 'Maximum Payload Violation'");
            c.expectClosed();
        }
    }

    @Test
    void idleClientIsPingedAndClosedAsStaleAfterPingMax() throws Exception {
        try (TestBroker broker = TestBroker.start(o -> o.pingInterval(Duration.ofMillis(200)).pingMax(2));
             WireClient c = WireClient.connect(broker.port(), QUIET)) {
            c.expect("PING");
            c.expect("PING");
            c.expect("-ERR 'Stale Connection'");
            c.expectClosed();
        }
    }

    @Test
    void clientThatAnswersPingsStays() throws Exception {
        try (TestBroker broker = TestBroker.start(o -> o.pingInterval(Duration.ofMillis(200)).pingMax(2));
             WireClient c = WireClient.connect(broker.port(), QUIET)) {
            for (int i = 0; i < 4; i++) {
                c.expect("PING");
                c.send("PONG\r\n");
            }
            c.send("PING\r\n");
            String line;
            do {
                line = c.readLine(WAIT);
            } while (line.equals("PING"));
            assertEquals("PONG", line);
        }
    }

    @Test
    void firstPingComesSoonAfterConnect() throws Exception {
        // the ping interval is two minutes; the first PING still comes after about two seconds
        try (TestBroker broker = TestBroker.start();
             WireClient c = WireClient.connect(broker.port(), QUIET)) {
            assertEquals("PING", c.readLine(Duration.ofSeconds(5)));
        }
    }

    /**
     * A subscriber that stops reading is cut off once its pending bytes pass max_pending; the publisher and
     * the subscriber that reads get every message while the stuck one is still connected.
     */
    @Test
    void stuckReaderIsCutOffAsSlowConsumerWithoutSlowingOthers() throws Exception {
        long maxPending = 8L * 1024 * 1024;
        try (TestBroker broker = TestBroker.start(o -> o.maxPending(maxPending));
             WireClient stuck = WireClient.connect(broker.port(), QUIET)) {
            stuck.socket().setReceiveBufferSize(4096);
            stuck.send("SUB flood 1\r\nPING\r\n").expect("PONG");
            try (Connection fast = jnats(broker, "fast"); Connection pub = jnats(broker, "pub")) {
                Subscription sub = fast.subscribe("flood");
                fast.flush(WAIT);
                byte[] payload = new byte[1024];
                int firstWave = 4 * 1024; // 4 MiB: the stuck reader is behind but under its limit
                for (int i = 0; i < firstWave; i++) {
                    pub.publish("flood", payload);
                }
                pub.flush(WAIT);
                for (int i = 0; i < firstWave; i++) {
                    assertNotNull(sub.nextMessage(WAIT), "fast subscriber lost message " + i);
                }
                assertEquals(0, broker.node().server().slowConsumers(), "cut off too early");
                assertEquals(3, broker.node().server().connectionCount(), "the stuck reader is still connected");

                int secondWave = 12 * 1024; // passes max_pending
                for (int i = 0; i < secondWave; i++) {
                    pub.publish("flood", payload);
                }
                pub.flush(WAIT);
                for (int i = 0; i < secondWave; i++) {
                    assertNotNull(sub.nextMessage(WAIT), "fast subscriber lost message " + (firstWave + i));
                }
                Poll.until(WAIT, "slow consumer counted", () -> broker.node().server().slowConsumers() == 1);
                Poll.until(WAIT, "stuck reader closed", () -> broker.node().server().connectionCount() == 2);
                pub.publish("flood", "after".getBytes(StandardCharsets.UTF_8));
                Message after = sub.nextMessage(WAIT);
                assertNotNull(after);
                assertEquals("after", new String(after.getData(), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void writeThatStallsPastTheDeadlineIsASlowConsumer() throws Exception {
        try (TestBroker broker = TestBroker.start(o -> o.writeDeadline(Duration.ofMillis(500)));
             WireClient stuck = WireClient.connect(broker.port(), QUIET)) {
            stuck.socket().setReceiveBufferSize(4096);
            stuck.send("SUB trickle 1\r\nPING\r\n").expect("PONG");
            try (Connection pub = jnats(broker, "pub")) {
                byte[] payload = new byte[64 * 1024];
                // a few MiB: far under max_pending, enough to fill the socket buffers so a write stalls
                for (int i = 0; i < 64 && broker.node().server().slowConsumers() == 0; i++) {
                    pub.publish("trickle", payload);
                    pub.flush(WAIT);
                }
                Poll.until(WAIT, "write deadline slow consumer", () -> broker.node().server().slowConsumers() == 1);
                Poll.until(WAIT, "stuck reader closed", () -> broker.node().server().connectionCount() == 1);
            }
        }
    }

    private static Connection jnats(TestBroker broker, String name) throws Exception {
        return Nats.connect(new Options.Builder().server(broker.url()).connectionName(name).noReconnect()
            .errorListener(new io.nats.client.ErrorListener() { }).build());
    }
}
