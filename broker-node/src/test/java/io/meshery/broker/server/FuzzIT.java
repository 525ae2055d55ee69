package io.meshery.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestBroker;
import io.meshery.broker.testkit.WireClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated bytes through real sockets. Whatever arrives, the node stays up, a well-behaved
 * client beside the fuzzers gets every message it is sent, and no connection or subscription leaks.
 */
class FuzzIT {

    private static final String[] SEEDS = {
        "CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\n",
        "PUB fuzz.a 5\r\nhello\r\n", "PUB fuzz.b reply 3\r\nabc\r\n", "HPUB fuzz.h 12 14\r\nNATS/1.0\r\n\r\nhi\r\n",
        "SUB fuzz.* 1\r\n", "SUB fuzz.> q 2\r\n", "UNSUB 1 3\r\n", "UNSUB 2\r\n", "PING\r\n", "PONG\r\n",
        "SUB calm 9\r\n", "PUB calm 4\r\nnope\r\n", "CONNECT {\"protocol\":1,\"echo\":false}\r\n",
    };

    @Test
    void nodeSurvivesGarbageAndOthersAreUnaffected() throws Exception {
        Random random = new Random(20261125L);
        try (TestBroker broker = TestBroker.start();
             WireClient calm = WireClient.connect(broker.port(), "{\"verbose\":false,\"pedantic\":false}");
             WireClient publisher = WireClient.connect(broker.port(), "{\"verbose\":false,\"pedantic\":false}")) {
            calm.send("SUB steady 1\r\nPING\r\n").expect("PONG");
            long baselineSubs = broker.node().server().index().count();
            int rounds = 400;
            for (int round = 0; round < rounds; round++) {
                byte[] junk = round % 3 == 0 ? randomBytes(random) : mutated(random);
                try (Socket s = new Socket("127.0.0.1", broker.port())) {
                    s.setSoLinger(true, 0);
                    OutputStream out = s.getOutputStream();
                    int pos = 0;
                    while (pos < junk.length) {
                        int n = Math.min(junk.length - pos, 1 + random.nextInt(64));
                        try {
                            out.write(junk, pos, n);
                        } catch (IOException closedByServer) {
                            break;
                        }
                        pos += n;
                    }
                }
                publisher.send("PUB steady " + Integer.toString(round).length() + "\r\n" + round + "\r\n");
            }
            publisher.send("PING\r\n").expect("PONG");
            for (int round = 0; round < rounds; round++) {
                calm.expect("MSG steady 1 " + Integer.toString(round).length()).expect(Integer.toString(round));
            }
            calm.send("PING\r\n");
            String line;
            do {
                line = calm.readLine(Duration.ofSeconds(5));
            } while (line.equals("PING"));
            assertEquals("PONG", line);
            Poll.until(Duration.ofSeconds(10), "fuzz connections gone",
                () -> broker.node().server().connectionCount() == 2);
            Poll.until(Duration.ofSeconds(10), "fuzz subscriptions gone",
                () -> broker.node().server().index().count() == baselineSubs);
        }
    }

    private static byte[] randomBytes(Random r) {
        byte[] b = new byte[1 + r.nextInt(512)];
        r.nextBytes(b);
        return b;
    }

    /** A run of valid operations with bytes flipped, dropped, duplicated or inserted. */
    private static byte[] mutated(Random r) {
        StringBuilder valid = new StringBuilder();
        int ops = 1 + r.nextInt(12);
        for (int i = 0; i < ops; i++) {
            valid.append(SEEDS[r.nextInt(SEEDS.length)]);
        }
        byte[] b = valid.toString().getBytes(StandardCharsets.ISO_8859_1);
        int mutations = r.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(4)) {
                case 0 -> b[at] = (byte) r.nextInt(256);
                case 1 -> b[at] = (byte) "0123456789 \r\n*>.".charAt(r.nextInt(16));
                case 2 -> b = splice(b, at, new byte[0], 1);
                default -> b = splice(b, at, new byte[] {b[at]}, 0);
            }
            if (b.length == 0) {
                b = new byte[] {'X'};
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, byte[] insert, int drop) {
        int dropped = Math.min(drop, b.length - at);
        byte[] out = new byte[b.length - dropped + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + dropped, out, at + insert.length, b.length - at - dropped);
        return out;
    }
}
