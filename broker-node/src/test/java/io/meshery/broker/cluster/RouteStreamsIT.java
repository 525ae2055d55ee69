package io.meshery.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestCluster;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The routes' own stream connections ({@code RouteStreams}): nodes send each other their messages over them by
 * default; a node that keeps its routes on Pekko remoting still exchanges messages, interest and request-reply
 * with nodes that use them, in both directions and in order; a connection that is not a route stream is closed and
 * hurts nobody.
 */
class RouteStreamsIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void nodesSendOverTheirOwnConnectionsAndANodeWithoutThemStillTakesPart() throws Exception {
        Config off = ConfigFactory.parseString(ClusterNode.ROUTE_STREAMS_SETTING + " = false")
            .withFallback(ConfigFactory.load());
        try (TestCluster cluster = TestCluster.startWithConfig(3, i -> i == 2 ? off : ConfigFactory.load())) {
            Poll.until(WAIT, "node-1 and node-2 to send to each other over stream connections",
                () -> link(cluster, 0, "node-2").sendsOverStream() && link(cluster, 1, "node-1").sendsOverStream());
            for (int i = 0; i < 3; i++) {
                for (RouteLink l : routes(cluster, i)) {
                    boolean node3 = i == 2 || l.peer().serverName().equals("node-3");
                    assertEquals(!node3, l.sendsOverStream(), "node-" + (i + 1) + " to " + l.peer().serverName());
                    assertEquals(node3 && i != 2, l.peer().streamPort() == 0, "stream port node-3 announced");
                }
            }
            for (int from = 0; from < 3; from++) {
                for (int to = 0; to < 3; to++) {
                    if (from != to) {
                        exchange(cluster, from, to);
                    }
                }
            }
        }
    }

    @Test
    void aConnectionThatIsNotARouteStreamIsClosedAndTheRoutesGoOn() throws Exception {
        try (TestCluster cluster = TestCluster.start(2)) {
            int port = link(cluster, 0, "node-2").peer().streamPort();
            assertTrue(port > 0, "node-2 announced its stream port");
            for (byte[] junk : List.of("PUB foo 3\r\nbar\r\n".getBytes(StandardCharsets.US_ASCII), new byte[64])) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout((int) WAIT.toMillis());
                    OutputStream out = s.getOutputStream();
                    out.write(junk);
                    out.flush();
                    InputStream in = s.getInputStream();
                    assertEquals(-1, readOrTimeout(in), "node-2 closes a connection that is not a route stream");
                }
            }
            exchange(cluster, 0, 1);
            exchange(cluster, 1, 0);
            assertTrue(link(cluster, 0, "node-2").sendsOverStream(), "the route stream is still in use");
        }
    }

    /** 2,000 messages with headers from node {@code from} to a subscriber on node {@code to}, then a request. */
    private static void exchange(TestCluster cluster, int from, int to) throws Exception {
        String subject = "pair." + from + "." + to;
        try (Connection pub = connect(cluster, from); Connection sub = connect(cluster, to)) {
            Subscription s = sub.subscribe(subject);
            Dispatcher responder = sub.createDispatcher(m -> sub.publish(m.getReplyTo(), m.getData()));
            responder.subscribe(subject + ".req");
            sub.flush(WAIT);
            cluster.awaitRemoteInterest(from, subject);
            cluster.awaitRemoteInterest(from, subject + ".req");
            int n = 2_000;
            for (int i = 0; i < n; i++) {
                pub.publish(NatsMessage.builder().subject(subject).headers(new Headers().add("Seq", "" + i))
                    .data(("m" + i).getBytes(StandardCharsets.UTF_8)).build());
            }
            pub.flush(WAIT);
            for (int i = 0; i < n; i++) {
                Message m = s.nextMessage(WAIT);
                assertNotNull(m, subject + " message " + i);
                assertEquals("m" + i, new String(m.getData(), StandardCharsets.UTF_8), subject);
                assertEquals("" + i, m.getHeaders().getFirst("Seq"), subject);
            }
            assertNull(s.nextMessage(Duration.ofMillis(100)), subject + ": nothing more");
            Message reply = pub.request(subject + ".req", "ping".getBytes(StandardCharsets.UTF_8), WAIT);
            assertNotNull(reply, subject + ": reply across the route");
            assertEquals("ping", new String(reply.getData(), StandardCharsets.UTF_8));
        }
    }

    private static int readOrTimeout(InputStream in) throws Exception {
        try {
            int b;
            do {
                b = in.read();
            } while (b >= 0);
            return b;
        } catch (SocketTimeoutException e) {
            return -2;
        } catch (java.net.SocketException e) {
            return -1; // reset: closed too
        }
    }

    private static List<RouteLink> routes(TestCluster cluster, int i) {
        return cluster.node(i).server().cluster().routes();
    }

    private static RouteLink link(TestCluster cluster, int i, String peer) {
        for (RouteLink l : routes(cluster, i)) {
            if (l.peer().serverName().equals(peer)) {
                return l;
            }
        }
        throw new AssertionError("node-" + (i + 1) + " has no route to " + peer);
    }

    private static Connection connect(TestCluster cluster, int node) throws Exception {
        return Nats.connect(Options.builder().server(cluster.url(node)).noReconnect().build());
    }
}
