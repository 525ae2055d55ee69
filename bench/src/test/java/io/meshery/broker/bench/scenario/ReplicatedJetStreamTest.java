package io.meshery.broker.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.bench.wire.NatsWireClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReplicatedJetStreamTest {

    private static final String UNAVAILABLE = "{\"type\":\"io.nats.jetstream.api.v1.stream_create_response\","
            + "\"error\":{\"code\":503,\"err_code\":10008,\"description\":\"JetStream system temporarily unavailable\"}}";
    private static final String CREATED = "{\"type\":\"io.nats.jetstream.api.v1.stream_create_response\","
            + "\"config\":{\"name\":\"BENCH\",\"num_replicas\":3},\"cluster\":{\"name\":\"bench\",\"leader\":\"n2\","
            + "\"replicas\":[{\"name\":\"n1\",\"current\":true}]}}";

    @Test
    void theR3ScenariosRunOnAThreeNodeClusterWithJetStream() {
        JetStreamPublishScenario sync = JetStreamPublishScenario.syncR3();
        JetStreamPublishScenario async = JetStreamPublishScenario.asyncR3();
        assertEquals("jsr3pubsync", sync.name());
        assertEquals("jsr3pubasync", async.name());
        assertEquals(List.of(2_000L, 200L, 100_000L, 5_000L),
                List.of(sync.defaultCount(), sync.smokeCount(), async.defaultCount(), async.smokeCount()));
        for (JetStreamPublishScenario s : List.of(sync, async)) {
            assertTrue(s.jetStream());
            assertEquals(3, s.clusterSize());
            assertEquals(Duration.ofSeconds(30), s.setupAllowance(s.defaultCount()), "the create may retry 30 s");
        }
        assertEquals(0, JetStreamPublishScenario.sync().clusterSize());
        assertEquals(Duration.ZERO, JetStreamPublishScenario.async().setupAllowance(200_000));
        assertEquals(Scenarios.r3(), List.of(Scenarios.named("jsr3pubsync").orElseThrow(),
                Scenarios.named("jsr3pubasync").orElseThrow()));
    }

    @Test
    void theCreateAsksForThreeReplicasOnlyWhenReplicated() {
        assertEquals("PUB $JS.API.STREAM.CREATE.BENCH _INBOX.bjs.create 76\r\n"
                        + "{\"name\":\"BENCH\",\"subjects\":[\"bench.js.>\"],\"storage\":\"file\",\"num_replicas\":3}\r\n",
                new String(JetStreamPublishScenario.createFrame("BENCH", "bench.js.>", 3), StandardCharsets.US_ASCII));
        assertEquals("PUB $JS.API.STREAM.CREATE.BENCH _INBOX.bjs.create 59\r\n"
                        + "{\"name\":\"BENCH\",\"subjects\":[\"bench.js.>\"],\"storage\":\"file\"}\r\n",
                new String(JetStreamPublishScenario.createFrame("BENCH", "bench.js.>", 1), StandardCharsets.US_ASCII));
    }

    @Test
    void readsTheAnswers() {
        assertFalse(JetStreamPublishScenario.createSucceeded(UNAVAILABLE));
        assertTrue(JetStreamPublishScenario.createSucceeded(CREATED));
        assertEquals("n2", JetStreamPublishScenario.leaderOf(CREATED));
        assertEquals("n3", JetStreamPublishScenario.leaderOf("{\"cluster\": {\"leader\": \"n3\"}}"));
        assertNull(JetStreamPublishScenario.leaderOf("{\"config\":{}}"));
    }

    @Test
    void aReplicatedCreateIsRetriedUntilItSucceeds() throws Exception {
        try (FakeServer server = new FakeServer(UNAVAILABLE, UNAVAILABLE, CREATED)) {
            try (NatsWireClient client = NatsWireClient.connect(server.address(), "t", 4096)) {
                client.subscribe(JetStreamPublishScenario.INBOX + "*", null, 1);
                client.flush();
                JetStreamPublishScenario.AckReader reader =
                        new JetStreamPublishScenario.AckReader(new PubAckCheck("BENCH", 1));
                String answer = JetStreamPublishScenario.createStream(client, reader, "BENCH", "bench.js.>", 3);
                assertEquals(CREATED, answer);
                assertEquals(3, reader.createAttempts);
                assertEquals(3, server.creates.get());
            }
        }
    }

    @Test
    void aReplicatedCreateFailsWithTheLastAnswerAfterItsDeadline() throws Exception {
        try (FakeServer server = new FakeServer(UNAVAILABLE)) {
            try (NatsWireClient client = NatsWireClient.connect(server.address(), "t", 4096)) {
                client.subscribe(JetStreamPublishScenario.INBOX + "*", null, 1);
                client.flush();
                JetStreamPublishScenario.AckReader reader =
                        new JetStreamPublishScenario.AckReader(new PubAckCheck("BENCH", 1));
                IOException e = assertThrows(IOException.class, () -> JetStreamPublishScenario.createStream(client,
                        reader, "BENCH", "bench.js.>", 3, Duration.ofSeconds(1)));
                assertTrue(e.getMessage().contains("last answer: " + UNAVAILABLE), e.getMessage());
                assertTrue(server.creates.get() >= 2, "retried: " + server.creates.get());
            }
        }
    }

    /**
     * Just enough of a NATS server for one client: INFO, PONG to every PING, and to each STREAM.CREATE the next of
     * the given answers (the last one again once they are used up), on the request's reply subject.
     */
    private static final class FakeServer implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private final Deque<String> answers;
        private final Thread thread;
        final AtomicInteger creates = new AtomicInteger();

        FakeServer(String... answers) throws IOException {
            this.answers = new ArrayDeque<>(List.of(answers));
            thread = new Thread(this::serve, "fake-nats");
            thread.setDaemon(true);
            thread.start();
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        }

        private void serve() {
            try (Socket socket = listener.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.US_ASCII));
                OutputStream out = socket.getOutputStream();
                out.write("INFO {\"server_id\":\"fake\"}\r\n".getBytes(StandardCharsets.US_ASCII));
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("PING")) {
                        out.write("PONG\r\n".getBytes(StandardCharsets.US_ASCII));
                    } else if (line.startsWith("PUB $JS.API.STREAM.CREATE.")) {
                        String[] parts = line.split(" ");
                        char[] body = new char[Integer.parseInt(parts[3]) + 2];
                        int read = 0;
                        while (read < body.length) {
                            read += in.read(body, read, body.length - read);
                        }
                        creates.incrementAndGet();
                        String answer = answers.size() > 1 ? answers.poll() : answers.peek();
                        byte[] payload = answer.getBytes(StandardCharsets.UTF_8);
                        out.write(("MSG " + parts[2] + " 1 " + payload.length + "\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        out.write(payload);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.flush();
                }
            } catch (IOException e) {
                // the test closed the listener or the client
            }
        }

        @Override
        public void close() throws Exception {
            listener.close();
            thread.join(5_000);
        }
    }
}
