package io.meshery.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestBroker;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** A client's last bytes before it closes are processed, as nats-server does, also right after a SUB. */
class ClientCloseIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /**
     * CONNECT, SUB, PUB and PING in one write, then the client shuts down its sending side and reads: it gets
     * its MSG and the PONG, every time. The SUB makes the parser wait for the subject's shard, which is
     * exactly when the end of the input used to close the connection with the PUB and PING unread.
     */
    @Test
    void halfClosedClientGetsEverythingItAskedFor() throws Exception {
        try (TestBroker broker = TestBroker.start()) {
            byte[] request = ("CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB t 1\r\nPUB t 5\r\nhello\r\n"
                + "PING\r\n").getBytes(StandardCharsets.US_ASCII);
            int rounds = 300;
            int complete = 0;
            for (int i = 0; i < rounds; i++) {
                try (Socket s = new Socket("127.0.0.1", broker.port())) {
                    s.setSoTimeout((int) WAIT.toMillis());
                    OutputStream out = s.getOutputStream();
                    out.write(request);
                    out.flush();
                    s.shutdownOutput();
                    String got = readToEnd(s.getInputStream());
                    if (got.contains("MSG t 1 5\r\nhello\r\n") && got.contains("PONG\r\n")) {
                        complete++;
                    }
                }
            }
            assertEquals(rounds, complete, "half-closed clients that got their MSG and PONG back");
            Poll.until(WAIT, "every connection closed", () -> broker.node().server().connectionCount() == 0);
        }
    }

    /** The client closes without waiting: a SUB and then PUBs, all in its last write, still reach a subscriber. */
    @Test
    void publishesSentRightBeforeACloseAreDelivered() throws Exception {
        try (TestBroker broker = TestBroker.start(); Socket observer = new Socket("127.0.0.1", broker.port())) {
            observer.setSoTimeout((int) WAIT.toMillis());
            observer.getOutputStream().write("CONNECT {\"verbose\":false}\r\nSUB t 1\r\nPING\r\n"
                .getBytes(StandardCharsets.US_ASCII));
            InputStream in = observer.getInputStream();
            readUntil(in, text -> text.contains("PONG\r\n"));
            int rounds = 100;
            for (int i = 0; i < rounds; i++) {
                try (Socket s = new Socket("127.0.0.1", broker.port())) {
                    s.getOutputStream().write(("CONNECT {\"verbose\":false}\r\nSUB other 1\r\nPUB t 2\r\n"
                        + String.format("%02d", i % 100) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
            }
            String got = readUntil(in, text -> count(text, "MSG t 1 2\r\n") >= rounds);
            assertEquals(rounds, count(got, "MSG t 1 2\r\n"), "messages from clients that closed");
        }
    }

    /**
     * nats.go's {@code Subscribe}, 300 {@code Publish} and {@code Close()} without a flush puts exactly these bytes
     * on the wire (its Close writes out its buffer, then closes the socket): every message reaches a jnats
     * subscriber. jnats' own {@code close()} is not used as the publisher: it drops what its writer thread has
     * not sent yet, against nats-server too (measured 5,701 to 6,000 of 6,000 here).
     */
    @Test
    void publishThenCloseWithoutAFlushReachesAJnatsSubscriber() throws Exception {
        try (TestBroker broker = TestBroker.start();
             Connection observer = Nats.connect(options(broker, "observer"))) {
            AtomicInteger received = new AtomicInteger();
            Dispatcher d = observer.createDispatcher(m -> received.incrementAndGet());
            d.subscribe("events");
            observer.flush(WAIT);
            int rounds = 20;
            int perRound = 300;
            for (int r = 0; r < rounds; r++) {
                StringBuilder wire = new StringBuilder("CONNECT {\"verbose\":false,\"name\":\"publisher\"}\r\n");
                wire.append("SUB _INBOX.").append(r).append(" 1\r\n");
                for (int i = 0; i < perRound; i++) {
                    String body = "m" + i;
                    wire.append("PUB events ").append(body.length()).append("\r\n").append(body).append("\r\n");
                }
                try (Socket s = new Socket("127.0.0.1", broker.port())) {
                    s.getOutputStream().write(wire.toString().getBytes(StandardCharsets.US_ASCII));
                }
            }
            int expected = rounds * perRound;
            Poll.until(WAIT, expected + " messages at the observer", () -> received.get() >= expected);
            assertEquals(expected, received.get());
        }
    }

    private static Options options(TestBroker broker, String name) {
        return new Options.Builder().server(broker.url()).connectionName(name).noReconnect()
            .errorListener(new io.nats.client.ErrorListener() { }).build();
    }

    private static String readToEnd(InputStream in) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toString(StandardCharsets.US_ASCII);
    }

    /** Reads until {@code done} holds for everything read; the socket's timeout bounds each read. */
    private static String readUntil(InputStream in, Predicate<String> done) throws Exception {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[4096];
        while (!done.test(sb.toString())) {
            int n = in.read(buf);
            assertTrue(n > 0, "connection ended early; got " + sb);
            sb.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
        }
        return sb.toString();
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }
}
