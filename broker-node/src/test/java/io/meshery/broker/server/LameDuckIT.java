package io.meshery.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.BrokerProcess;
import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestBroker;
import io.meshery.broker.testkit.WireClient;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lame duck mode as nats-server does it: stop accepting, INFO with {@code "ldm":true}, a grace period, clients
 * closed one by one, then the node stops; official clients move to another node.
 */
class LameDuckIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private static TestBroker lameDuckNode(Duration duration, Duration grace) {
        return TestBroker.start(o -> o.lameDuckDuration(duration).lameDuckGracePeriod(grace));
    }

    private static boolean terminated(TestBroker broker) {
        return broker.node().system().getWhenTerminated().toCompletableFuture().isDone();
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void officialClientHearsOfItAndMovesToTheOtherNode() throws Exception {
        try (TestBroker leaving = lameDuckNode(Duration.ofSeconds(2), Duration.ofMillis(300));
             TestBroker staying = TestBroker.start()) {
            List<ConnectionListener.Events> events = new CopyOnWriteArrayList<>();
            Options options = new Options.Builder().servers(new String[] {leaving.url(), staying.url()})
                .noRandomize().reconnectWait(Duration.ofMillis(50)).maxReconnects(-1).connectionTimeout(WAIT)
                .connectionListener((conn, event) -> events.add(event))
                .errorListener(new ErrorListener() { }).build();
            try (Connection nc = Nats.connect(options)) {
                assertTrue(nc.getConnectedUrl().endsWith(":" + leaving.port()), nc.getConnectedUrl());
                Subscription sub = nc.subscribe("meshery.events");
                nc.flush(WAIT);

                leaving.node().enterLameDuckMode();

                Poll.until(WAIT, "the client to see lame duck mode",
                    () -> events.contains(ConnectionListener.Events.LAME_DUCK));
                Poll.until(WAIT, "the client to reconnect elsewhere",
                    () -> events.contains(ConnectionListener.Events.RECONNECTED));
                assertTrue(nc.getConnectedUrl().endsWith(":" + staying.port()), nc.getConnectedUrl());
                assertTrue(events.indexOf(ConnectionListener.Events.LAME_DUCK)
                    < events.indexOf(ConnectionListener.Events.DISCONNECTED), events::toString);
                Poll.until(WAIT, "the lame duck node to stop", () -> terminated(leaving));

                // The subscription followed the client to the other node.
                try (Connection other = Nats.connect(staying.url())) {
                    other.publish("meshery.events", "after".getBytes(StandardCharsets.UTF_8));
                    other.flush(WAIT);
                }
                Message m = sub.nextMessage(WAIT);
                assertEquals("after", new String(m.getData(), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void onTheWireInfoCarriesLdmThenClientsAreClosedOneByOne() throws Exception {
        try (TestBroker node = lameDuckNode(Duration.ofSeconds(3), Duration.ofMillis(500));
             WireClient a = WireClient.connect(node.port(), "{\"verbose\":false,\"protocol\":1}");
             WireClient b = WireClient.connect(node.port(), "{\"verbose\":false,\"protocol\":1}");
             WireClient old = WireClient.connect(node.port(), "{\"verbose\":false}")) {
            long start = System.nanoTime();
            node.node().enterLameDuckMode();

            String info = a.expectMatch("INFO \\{.*\"ldm\":true\\} ");
            assertTrue(info.contains("\"client_id\":"), info);
            b.expectMatch("INFO \\{.*\"ldm\":true\\} ");
            Poll.until(WAIT, "the listener to close", () -> !accepts(node.port()));

            String restOfA = untilClosed(a);
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(450).toNanos(), "closed within the grace period");
            assertFalse(restOfA.contains("INFO"), restOfA);
            untilClosed(b);
            // nats-server sends the INFO only to clients that announced protocol 1.
            String restOfOld = untilClosed(old);
            assertFalse(restOfOld.contains("INFO"), restOfOld);
            Poll.until(WAIT, "the node to stop", () -> terminated(node));
        }
    }

    @Test
    void withoutClientsTheNodeStopsAtOnce() {
        try (TestBroker node = lameDuckNode(Duration.ofSeconds(30), Duration.ofSeconds(10))) {
            long start = System.nanoTime();
            node.node().enterLameDuckMode();
            Poll.until(WAIT, "the node to stop", () -> terminated(node));
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "it did not wait for the grace period");
        }
    }

    @Test
    void shutdownCutsLameDuckModeShort() throws Exception {
        try (TestBroker node = lameDuckNode(Duration.ofSeconds(60), Duration.ofSeconds(30));
             WireClient c = WireClient.connect(node.port(), "{\"verbose\":false,\"protocol\":1}")) {
            node.node().enterLameDuckMode();
            c.expectMatch("INFO \\{.*\"ldm\":true\\} ");
            node.node().shutdown(Duration.ofSeconds(10));
            assertTrue(terminated(node));
            c.expectClosed();
        }
    }

    @Test
    void signalLdmPutsTheProcessInLameDuckModeAndItExitsZero() throws Exception {
        Path conf = dir.resolve("nats.conf");
        Path pidFile = dir.resolve("broker.pid");
        Files.writeString(conf, "listen: \"127.0.0.1:-1\"\nhttp_port: 0\nlame_duck_duration: \"30s\"\n"
            + "lame_duck_grace_period: \"500ms\"\npid_file: \"" + pidFile + "\"\n");
        try (BrokerProcess broker = BrokerProcess.start("-c", conf.toString(), "-D")) {
            int port = broker.clientPort(WAIT);
            broker.awaitLine(WAIT, l -> l.endsWith("Server is ready"));
            List<ConnectionListener.Events> events = new CopyOnWriteArrayList<>();
            Options options = new Options.Builder().server("nats://127.0.0.1:" + port).maxReconnects(0)
                .connectionListener((c, e) -> events.add(e)).errorListener(new ErrorListener() { }).build();
            try (Connection nc = Nats.connect(options)) {
                nc.flush(WAIT);
                try (BrokerProcess signal = BrokerProcess.start("--signal", "ldm=" + pidFile)) {
                    assertEquals(0, signal.awaitExit(WAIT));
                }
                Poll.until(WAIT, "the client to see lame duck mode",
                    () -> events.contains(ConnectionListener.Events.LAME_DUCK));
                assertEquals(0, broker.awaitExit(WAIT));
                Poll.until(WAIT, "the client to be closed", () -> events.contains(ConnectionListener.Events.CLOSED));
            }
            broker.awaitLine(WAIT, l -> l.contains("[DBG] Trapped \"user defined signal 2\" signal"));
            broker.awaitLine(WAIT, l -> l.endsWith("[INF] Entering lame duck mode, stop accepting new clients"));
            broker.awaitLine(WAIT, l -> l.endsWith("[INF] Closing existing clients"));
            broker.awaitLine(WAIT, l -> l.endsWith("Client connection closed: Server Shutdown"));
            assertFalse(accepts(port));
        }
    }

    @Test
    void enteringTwiceIsEnteringOnce() {
        try (TestBroker node = lameDuckNode(Duration.ofSeconds(30), Duration.ofSeconds(10))) {
            node.node().enterLameDuckMode();
            node.node().enterLameDuckMode();
            Poll.until(WAIT, "the node to stop", () -> terminated(node));
            node.node().enterLameDuckMode();
        }
    }

    /** What the server still sends (server PINGs, say) until it closes the connection. */
    private static String untilClosed(WireClient c) throws IOException {
        c.socket().setSoTimeout((int) WAIT.toMillis());
        java.io.ByteArrayOutputStream rest = new java.io.ByteArrayOutputStream();
        try {
            byte[] buf = new byte[512];
            for (int n = c.socket().getInputStream().read(buf); n >= 0; n = c.socket().getInputStream().read(buf)) {
                rest.write(buf, 0, n);
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("still open after " + WAIT + ", got: " + rest);
        } catch (IOException e) {
            // reset by the server: closed
        }
        return rest.toString(StandardCharsets.UTF_8);
    }
}
