package io.meshery.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.BrokerProcess;
import io.meshery.broker.testkit.TestCluster;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A reconnect storm: 2,000 clients connected to a node (its launcher's heap, 128 MiB) all come back at once after it
 * restarts, as clients do after a node of theirs is replaced. Every one of them is served (INFO, then a PONG to its
 * CONNECT and PING) within a bounded time; the figures are printed (time to serve them all, the node's CPU per
 * connection).
 */
class ReconnectStormIT {

    private static final int CLIENTS = 2000;
    private static final Duration START = Duration.ofSeconds(60);
    private static final long STORM_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(60);

    @Test
    void twoThousandClientsReconnectingAtOnceAreAllServed() throws Exception {
        int port = TestCluster.freePorts(1)[0];
        try (BrokerProcess node = start(port)) {
            node.clientPort(START);
            assertEquals(CLIENTS, storm(port, node.pid()).served, "every client served before the restart");
            node.signal("KILL");
            node.awaitExit(Duration.ofSeconds(10));
        }
        try (BrokerProcess again = start(port)) {
            again.clientPort(START);
            Storm s = storm(port, again.pid());
            System.out.printf("reconnect storm: %d clients at once, all served in %d ms, node CPU %.0f us per"
                + " connection%n", CLIENTS, s.millis, s.cpuMicrosPerClient);
            assertEquals(CLIENTS, s.served, "every client served after the restart");
        }
    }

    private static BrokerProcess start(int port) throws IOException {
        return BrokerProcess.start(List.of("-Xmx128m"), "-a", "127.0.0.1", "-p", Integer.toString(port), "-m", "-1");
    }

    private record Storm(int served, long millis, double cpuMicrosPerClient) {
    }

    /**
     * Opens {@link #CLIENTS} connections at once (non-blocking connects, one selector) and counts those that get
     * their INFO and then the PONG to their CONNECT and PING; closes them all.
     */
    private static Storm storm(int port, long pid) throws IOException {
        long cpuBefore = cpuMillis(pid);
        long t0 = System.nanoTime();
        int served = 0;
        List<SocketChannel> channels = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < CLIENTS; i++) {
                SocketChannel ch = SocketChannel.open();
                ch.configureBlocking(false);
                ch.connect(new InetSocketAddress("127.0.0.1", port));
                ch.register(selector, SelectionKey.OP_CONNECT, new Client(i));
                channels.add(ch);
            }
            while (served < CLIENTS && System.nanoTime() - t0 < STORM_DEADLINE_NANOS) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel ch = (SocketChannel) key.channel();
                    Client c = (Client) key.attachment();
                    if (key.isConnectable()) {
                        if (ch.finishConnect()) {
                            key.interestOps(SelectionKey.OP_READ);
                        }
                    } else if (key.isReadable() && c.read(ch)) {
                        served++;
                        key.interestOps(0);
                    }
                }
                selector.selectedKeys().clear();
            }
        } finally {
            for (SocketChannel ch : channels) {
                ch.close();
            }
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        return new Storm(served, millis, (cpuMillis(pid) - cpuBefore) * 1000.0 / CLIENTS);
    }

    /** One client: reads its INFO, answers CONNECT and PING, is served once it reads PONG. */
    private static final class Client {
        private final int id;
        private final ByteBuffer in = ByteBuffer.allocate(4096);
        private final StringBuilder text = new StringBuilder();
        private boolean connectSent;

        Client(int id) {
            this.id = id;
        }

        /** Reads what arrived; true once the PONG is here. */
        boolean read(SocketChannel ch) throws IOException {
            in.clear();
            if (ch.read(in) < 0) {
                throw new IOException("client " + id + ": the node closed the connection: " + text);
            }
            in.flip();
            text.append(StandardCharsets.US_ASCII.decode(in));
            if (!connectSent && text.indexOf("\r\n") >= 0) {
                assertTrue(text.toString().startsWith("INFO "), text.toString());
                connectSent = true;
                ch.write(ByteBuffer.wrap(("CONNECT {\"verbose\":false,\"name\":\"storm-" + id + "\"}\r\nPING\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            }
            return text.indexOf("PONG\r\n") >= 0;
        }
    }

    /** User and system CPU of process {@code pid} so far, in milliseconds (Linux, 100 ticks per second). */
    private static long cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }
}
