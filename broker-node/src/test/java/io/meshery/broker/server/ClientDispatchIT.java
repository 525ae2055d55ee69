package io.meshery.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.BrokerProcess;
import io.meshery.broker.testkit.TestCluster;
import io.meshery.broker.testkit.WireClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ways the node can place its connections' actors ({@link ClientListener}): on their sockets' loops (the
 * default, here with one loop and with three, so that connections on different loops deliver to each other) and on
 * Pekko's default dispatcher ({@code actors-on-loops=false}, kept for comparison runs). Each serves the same wire
 * traffic: subscriptions on many connections, a fan-out, request-reply between connections, a protocol error closing
 * one connection with its {@code -ERR} and leaving the others served. Each runs a node in its own process, since the
 * settings are read once per JVM.
 */
class ClientDispatchIT {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String QUIET = "{\"verbose\":false,\"pedantic\":false,\"headers\":true,\"no_responders\":true}";
    private static final int CLIENTS = 24;

    @ParameterizedTest
    @ValueSource(strings = {"-Dmeshery.broker.client.loops=1", "-Dmeshery.broker.client.loops=3",
        "-Dmeshery.broker.client.actors-on-loops=false"})
    void servesTheSameTraffic(String setting) throws Exception {
        int port = TestCluster.freePorts(1)[0];
        List<WireClient> clients = new ArrayList<>();
        try (BrokerProcess node = BrokerProcess.start(List.of(setting), "-a", "127.0.0.1", "-p", Integer.toString(port))) {
            node.clientPort(START);
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    WireClient c = WireClient.connect(port, QUIET);
                    clients.add(c);
                    c.send("SUB fan.out " + i + "\r\nSUB req." + i + " q 100\r\n");
                    assertTrue(c.send("PING\r\n").linesUntilPong(WAIT).isEmpty());
                }
                WireClient publisher = clients.get(0);
                assertEquals(List.of("MSG fan.out 0 5", "hello"), publisher.send("PUB fan.out 5\r\nhello\r\nPING\r\n").linesUntilPong(WAIT));
                for (int i = 1; i < CLIENTS; i++) {
                    assertEquals(List.of("MSG fan.out " + i + " 5", "hello"), clients.get(i).send("PING\r\n").linesUntilPong(WAIT),
                        "client " + i + " got the fan-out");
                }
                // request-reply between every client and the next one, which answers on the request's inbox
                for (int i = 0; i < CLIENTS; i++) {
                    WireClient requester = clients.get(i);
                    WireClient responder = clients.get((i + 1) % CLIENTS);
                    // each PING's PONG shows the sender's operations before it are done, deliveries included
                    assertTrue(requester.send("SUB inbox." + i + " r" + i + "\r\nPUB req." + ((i + 1) % CLIENTS)
                        + " inbox." + i + " 4\r\nping\r\nPING\r\n").linesUntilPong(WAIT).isEmpty());
                    assertEquals(List.of("MSG req." + ((i + 1) % CLIENTS) + " 100 inbox." + i + " 4",
                        "ping"), responder.send("PING\r\n").linesUntilPong(WAIT));
                    assertTrue(responder.send("PUB inbox." + i + " 4\r\npong\r\nPING\r\n").linesUntilPong(WAIT).isEmpty());
                    assertEquals(List.of("MSG inbox." + i + " r" + i + " 4", "pong"), requester.send("PING\r\n").linesUntilPong(WAIT));
                }
                // a protocol error closes that connection only
                WireClient bad = clients.get(CLIENTS - 1);
                bad.send("BOGUS\r\n");
                bad.expect("-ERR 'Unknown Protocol Operation'");
                bad.expectClosed();
                assertEquals(List.of("MSG fan.out 0 3", "bye"), publisher.send("PUB fan.out 3\r\nbye\r\nPING\r\n").linesUntilPong(WAIT));
                assertEquals(List.of("MSG fan.out 1 3", "bye"), clients.get(1).send("PING\r\n").linesUntilPong(WAIT));
                assertTrue(node.process().isAlive(), "the node is still up");
            } finally {
                for (WireClient c : clients) {
                    c.close();
                }
            }
        }
    }
}
