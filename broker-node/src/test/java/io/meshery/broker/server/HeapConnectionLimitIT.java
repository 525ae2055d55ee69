package io.meshery.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.BrokerProcess;
import io.meshery.broker.testkit.Monitoring;
import io.meshery.broker.testkit.TestCluster;
import io.meshery.broker.testkit.WireClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node whose heap cannot hold {@code max_connections} clients accepts as many as it holds and refuses the next with
 * nats-server's {@code -ERR 'maximum connections exceeded'}, instead of running out of heap and exiting (30,000
 * connections at once did that to a node with the launcher's default 128 MiB heap). Runs a node with a 40 MiB heap in
 * its own process: the limit is 40 MiB / 24 KiB = 1,706, which {@code /varz} reports.
 */
class HeapConnectionLimitIT {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String QUIET = "{\"verbose\":false,\"pedantic\":false}";

    @Test
    void aSmallHeapAcceptsWhatItHoldsAndRefusesTheRest() throws Exception {
        int[] ports = TestCluster.freePorts(2);
        int limit = (int) ((40L << 20) / Server.HEAP_PER_CONNECTION);
        List<WireClient> clients = new ArrayList<>();
        try (BrokerProcess node = BrokerProcess.start(List.of("-Xmx40m", "-XX:+ExitOnOutOfMemoryError"),
                "-a", "127.0.0.1", "-p", Integer.toString(ports[0]), "-m", Integer.toString(ports[1]))) {
            node.clientPort(START);
            assertEquals(limit, Monitoring.get(ports[1], "/varz").path("max_connections").asInt(),
                "/varz reports the heap's limit");
            try {
                for (int i = 0; i < limit; i++) {
                    WireClient c = WireClient.connect(ports[0], QUIET);
                    clients.add(c);
                    c.send("SUB inbox." + i + " 1\r\n");
                }
                try (WireClient refused = WireClient.connect(ports[0])) {
                    refused.expect("-ERR 'maximum connections exceeded'");
                    refused.expectClosed();
                }
                assertTrue(clients.get(0).send("PUB inbox.7 2\r\nhi\r\nPING\r\n").linesUntilPong(WAIT).isEmpty());
                assertEquals(List.of("MSG inbox.7 1 2", "hi"), clients.get(7).send("PING\r\n").linesUntilPong(WAIT));
                assertTrue(node.process().isAlive(), "the node is still up");
            } finally {
                for (WireClient c : clients) {
                    c.close();
                }
            }
            assertEquals(limit, clients.size());
        }
    }
}
