package io.meshery.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestCluster;
import io.meshery.broker.testkit.WireClient;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three nodes on one host behave as one broker for jnats clients: messages, interest, queue groups, request-reply
 * and no-responders across nodes, at most one hop.
 */
class ClusterMessagingIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static TestCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Connection connect(int node) throws Exception {
        return Nats.connect(Options.builder().server(cluster.url(node)).noReconnect().build());
    }

    @Test
    void aSubscriberOnOneNodeGetsWhatIsPublishedOnAnotherInOrderWithHeaders() throws Exception {
        try (Connection pub = connect(0); Connection sub = connect(1)) {
            Subscription s = sub.subscribe("orders.>");
            sub.flush(WAIT);
            cluster.awaitRemoteInterest(0, "orders.created");
            int n = 5_000;
            for (int i = 0; i < n; i++) {
                Headers h = new Headers().add("Seq", Integer.toString(i));
                pub.publish(NatsMessage.builder().subject("orders.created").headers(h)
                    .data(("order-" + i).getBytes(StandardCharsets.UTF_8)).build());
            }
            pub.flush(WAIT);
            for (int i = 0; i < n; i++) {
                Message m = s.nextMessage(WAIT);
                assertNotNull(m, "message " + i);
                assertEquals("order-" + i, new String(m.getData(), StandardCharsets.UTF_8));
                assertEquals(Integer.toString(i), m.getHeaders().getFirst("Seq"));
            }
            assertNull(s.nextMessage(Duration.ofMillis(200)), "nothing more");
        }
    }

    @Test
    void overlappingSubscriptionsOnOneNodeGetOneCopyEachAndNoNodeGetsItTwice() throws Exception {
        try (Connection pub = connect(0); Connection a = connect(1); Connection b = connect(2)) {
            Subscription star = a.subscribe("metrics.*");
            Subscription gt = a.subscribe("metrics.>");
            Subscription other = b.subscribe("metrics.cpu");
            a.flush(WAIT);
            b.flush(WAIT);
            Poll.until(WAIT, "interest of both nodes", () -> cluster.remoteInterest(0, "metrics.cpu") == 3);
            for (int i = 0; i < 100; i++) {
                pub.publish("metrics.cpu", new byte[] {(byte) i});
            }
            pub.flush(WAIT);
            for (Subscription s : List.of(star, gt, other)) {
                for (int i = 0; i < 100; i++) {
                    Message m = s.nextMessage(WAIT);
                    assertNotNull(m, s.getSubject() + " message " + i);
                    assertEquals(i, m.getData()[0]);
                }
                assertNull(s.nextMessage(Duration.ofMillis(100)), s.getSubject() + " got a copy too many");
            }
            // one record per message per node, however many subscriptions matched there
            long toNode2 = routeOutMsgs(0, "node-2");
            long toNode3 = routeOutMsgs(0, "node-3");
            assertTrue(toNode2 >= 100 && toNode3 >= 100, "forwarded " + toNode2 + " / " + toNode3);
        }
    }

    @Test
    void aQueueGroupGetsEachMessageOnceClusterWide() throws Exception {
        try (Connection pub = connect(0); Connection m2 = connect(1); Connection m3 = connect(2)) {
            Set<String> seen = ConcurrentHashMap.newKeySet();
            AtomicInteger dupes = new AtomicInteger();
            AtomicInteger on2 = new AtomicInteger();
            AtomicInteger on3 = new AtomicInteger();
            Dispatcher d2 = m2.createDispatcher(m -> count(m, seen, dupes, on2));
            Dispatcher d3 = m3.createDispatcher(m -> count(m, seen, dupes, on3));
            d2.subscribe("work.items", "workers");
            d2.subscribe("work.items", "workers"); // two members on node 2, one on node 3
            d3.subscribe("work.items", "workers");
            m2.flush(WAIT);
            m3.flush(WAIT);
            Poll.until(WAIT, "both nodes' members", () -> cluster.remoteInterest(0, "work.items") == 2);
            int n = 3_000;
            for (int i = 0; i < n; i++) {
                pub.publish("work.items", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
            }
            pub.flush(WAIT);
            Poll.until(WAIT, "all " + n + " items", () -> seen.size() == n);
            m2.flush(WAIT);
            m3.flush(WAIT);
            assertEquals(0, dupes.get(), "items delivered twice");
            assertEquals(n, on2.get() + on3.get());
            assertTrue(on2.get() > 0 && on3.get() > 0, "spread over the nodes: " + on2 + " / " + on3);
        }
    }

    @Test
    void aLocalQueueMemberIsPreferredOverMembersOnOtherNodes() throws Exception {
        try (Connection pub = connect(0); Connection remote = connect(1)) {
            AtomicInteger local = new AtomicInteger();
            AtomicInteger away = new AtomicInteger();
            Dispatcher dr = remote.createDispatcher(m -> away.incrementAndGet());
            dr.subscribe("jobs.local", "q");
            remote.flush(WAIT);
            cluster.awaitRemoteInterest(0, "jobs.local");
            Dispatcher dl = pub.createDispatcher(m -> local.incrementAndGet());
            dl.subscribe("jobs.local", "q");
            pub.flush(WAIT);
            for (int i = 0; i < 500; i++) {
                pub.publish("jobs.local", null);
            }
            pub.flush(WAIT);
            Poll.until(WAIT, "500 jobs", () -> local.get() + away.get() == 500);
            assertEquals(500, local.get(), "every job to the member on the publisher's node");
            assertEquals(0, away.get());
        }
    }

    @Test
    void requestReplyAndNoRespondersAcrossNodes() throws Exception {
        try (Connection requester = connect(0); Connection responder = connect(2)) {
            Dispatcher d = responder.createDispatcher(m -> responder.publish(m.getReplyTo(),
                ("re:" + new String(m.getData(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
            d.subscribe("svc.echo");
            responder.flush(WAIT);
            cluster.awaitRemoteInterest(0, "svc.echo");
            for (int i = 0; i < 200; i++) {
                Message reply = requester.request("svc.echo", ("q" + i).getBytes(StandardCharsets.UTF_8), WAIT);
                assertEquals("re:q" + i, new String(reply.getData(), StandardCharsets.UTF_8));
            }
            // no subscriber anywhere: no responders, at once
            long t0 = System.nanoTime();
            assertNoResponders(requester, "svc.nobody");
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "no responders came at once");
            // the responder leaves: its node tells the others, and a request gets no responders again
            d.unsubscribe("svc.echo");
            responder.flush(WAIT);
            cluster.awaitNoRemoteInterest(0, "svc.echo");
            assertNoResponders(requester, "svc.echo");
        }
    }

    @Test
    void anInboxSubscribedRightBeforeTheRequestGetsTheReplyFromAnotherNode() throws Exception {
        // the meshkit pattern: SUB to a fresh inbox, PUB the request at once, no PING in between
        try (Connection responder = connect(1); WireClient c = WireClient.connect(cluster.node(0).port())) {
            Dispatcher d = responder.createDispatcher(m -> responder.publish(m.getReplyTo(), m.getData()));
            d.subscribe("svc.ordered");
            responder.flush(WAIT);
            cluster.awaitRemoteInterest(0, "svc.ordered");
            c.send("CONNECT {\"verbose\":false,\"protocol\":1,\"headers\":true,\"no_responders\":true}\r\n");
            for (int i = 0; i < 300; i++) {
                String inbox = "_INBOX.ordered." + i;
                c.send("SUB " + inbox + " " + (i + 1) + "\r\nUNSUB " + (i + 1) + " 1\r\nPUB svc.ordered " + inbox
                    + " 2\r\nok\r\n");
                assertEquals("MSG " + inbox + " " + (i + 1) + " 2", nextLine(c), "reply " + i);
                assertEquals("ok", c.readLine(WAIT));
            }
        }
    }

    @Test
    void aMaxPayloadMessageCrosses() throws Exception {
        try (Connection pub = connect(2); Connection sub = connect(0)) {
            int max = (int) pub.getMaxPayload();
            Subscription s = sub.subscribe("blob");
            sub.flush(WAIT);
            cluster.awaitRemoteInterest(2, "blob");
            byte[] big = new byte[max];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) (i * 31);
            }
            for (int i = 0; i < 5; i++) {
                pub.publish("blob", big);
            }
            pub.flush(WAIT);
            for (int i = 0; i < 5; i++) {
                Message m = s.nextMessage(WAIT);
                assertNotNull(m, "blob " + i);
                assertArrayEquals(big, m.getData());
            }
        }
    }

    @Test
    void manyPublishersKeepTheirOrderAcrossNodes() throws Exception {
        int publishers = 4;
        int each = 20_000;
        try (Connection sub = connect(1)) {
            Subscription s = sub.subscribe("flow.>");
            sub.flush(WAIT);
            cluster.awaitRemoteInterest(0, "flow.p0");
            cluster.awaitRemoteInterest(2, "flow.p0");
            List<CompletableFuture<Void>> runs = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                int id = p;
                runs.add(CompletableFuture.runAsync(() -> {
                    try (Connection pub = connect(id % 2 == 0 ? 0 : 2)) {
                        for (int i = 0; i < each; i++) {
                            byte[] body = new byte[128]; // jnats keeps the array until it writes it
                            body[0] = (byte) (i >>> 24);
                            body[1] = (byte) (i >>> 16);
                            body[2] = (byte) (i >>> 8);
                            body[3] = (byte) i;
                            pub.publish("flow.p" + id, body);
                        }
                        pub.flush(WAIT);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            int[] next = new int[publishers];
            for (int k = 0; k < publishers * each; k++) {
                Message m = s.nextMessage(WAIT);
                assertNotNull(m, "message " + k + " of " + publishers * each);
                int p = m.getSubject().charAt(6) - '0';
                byte[] b = m.getData();
                int i = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
                assertEquals(next[p], i, "publisher " + p + "'s order");
                next[p]++;
            }
            runs.forEach(CompletableFuture::join);
            assertNull(s.nextMessage(Duration.ofMillis(200)));
        }
    }

    /** The next line that is not the server's keep-alive PING (answered). */
    private static String nextLine(WireClient c) throws Exception {
        String line = c.readLine(WAIT);
        while (line.equals("PING")) {
            c.send("PONG\r\n");
            line = c.readLine(WAIT);
        }
        return line;
    }

    /** jnats cancels the request's future when the server answers "no responders" (a 503 status). */
    private static void assertNoResponders(Connection c, String subject) {
        CompletableFuture<Message> f = c.request(subject, null);
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> f.get(5, TimeUnit.SECONDS));
        assertTrue(e instanceof java.util.concurrent.CancellationException, "no responders, got " + e);
    }

    private static void count(Message m, Set<String> seen, AtomicInteger dupes, AtomicInteger mine) {
        if (!seen.add(new String(m.getData(), StandardCharsets.UTF_8))) {
            dupes.incrementAndGet();
        }
        mine.incrementAndGet();
    }

    private static long routeOutMsgs(int node, String peerName) {
        return cluster.node(node).server().cluster().routes().stream()
            .filter(r -> r.peer().serverName().equals(peerName)).mapToLong(RouteLink::outMsgs).sum();
    }
}
