package io.meshery.broker.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every operation and every kind of bad input, as nats-server 2.9 reads them. */
class ProtocolParserTest {

    private static final int MAX_CONTROL_LINE = 4096;
    private static final int MAX_PAYLOAD = 1024 * 1024;

    static Stream<Arguments> table() {
        return Stream.of(
            // operations, any case, with spaces or tabs between arguments
            row("PING\r\n", "PING"),
            row("ping\r\n", "PING"),
            row("PING x\r\n", "PING"),
            row("PINGX\r\n", "PING"),
            row("PONG\r\n", "PONG"),
            row("PING\n", "PING"),
            row("CONNECT {\"verbose\":false}\r\n", "CONNECT {\"verbose\":false}"),
            row("connect  {}\r\n", "CONNECT {}"),
            row("PUB foo 3\r\nabc\r\n", "PUB foo [abc]"),
            row("pub foo 3\r\nabc\r\n", "PUB foo [abc]"),
            row("PUB foo bar 3\r\nabc\r\n", "PUB foo reply=bar [abc]"),
            row("PUB\tfoo\t3\r\nabc\r\n", "PUB foo [abc]"),
            row("PUB foo  3\r\nabc\r\n", "PUB foo [abc]"),
            row("PUB foo 03\r\nabc\r\n", "PUB foo [abc]"),
            row("PUB foo 0\r\n\r\n", "PUB foo []"),
            row("PUB foo 3\nabc\r\n", "PUB foo [abc]"),
            row("HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n", "HPUB foo hdr=12 [NATS/1.0\r\n\r\nhi]"),
            row("HPUB foo r 12 12\r\nNATS/1.0\r\n\r\n\r\n", "HPUB foo reply=r hdr=12 [NATS/1.0\r\n\r\n]"),
            row("SUB foo 1\r\n", "SUB foo sid=1"),
            row("SUB foo q 1\r\n", "SUB foo queue=q sid=1"),
            row("sub foo.* q\t1\r\n", "SUB foo.* queue=q sid=1"),
            row("UNSUB 1\r\n", "UNSUB 1 max=0"),
            row("UNSUB 1 5\r\n", "UNSUB 1 max=5"),
            row("UNSUB 1 x\r\n", "UNSUB 1 max=0"),
            row("INFO {}\r\nPING\r\n", "PING"),
            row("+OK\r\nPING\r\n", "PING"),
            // faults that close with -ERR 'Unknown Protocol Operation'
            row("FOO\r\n", "ERROR UNKNOWN_OPERATION"),
            row("\r\n", "ERROR UNKNOWN_OPERATION"),
            row(" PING\r\n", "ERROR UNKNOWN_OPERATION"),
            row("PUB\r\n", "ERROR UNKNOWN_OPERATION"),
            row("SUB\r\n", "ERROR UNKNOWN_OPERATION"),
            row("HPUB\r\n", "ERROR UNKNOWN_OPERATION"),
            row("UNSUB\r\n", "ERROR UNKNOWN_OPERATION"),
            row("PUBX foo 1\r\n", "ERROR UNKNOWN_OPERATION"),
            row("MSG foo 1 1\r\n", "ERROR UNKNOWN_OPERATION"),
            row("PUB foo 2\r\nabc\r\n", "ERROR UNKNOWN_OPERATION"),
            row("PUB foo 3\r\nabcX\r\n", "ERROR UNKNOWN_OPERATION"),
            row("PUB foo 3\r\nabc\nPING\r\n", "ERROR UNKNOWN_OPERATION"),
            row("A".repeat(5000), "ERROR UNKNOWN_OPERATION"),
            // faults that close without a word
            row("PUB foo\r\n", "ERROR BAD_ARGUMENTS"),
            row("PUB \r\n", "ERROR BAD_ARGUMENTS"),
            row("PUB foo bar\r\n", "ERROR BAD_ARGUMENTS"),
            row("PUB foo -1\r\n", "ERROR BAD_ARGUMENTS"),
            row("PUB foo +3\r\n", "ERROR BAD_ARGUMENTS"),
            row("PUB foo a b c\r\n", "ERROR BAD_ARGUMENTS"),
            row("PUB foo 1234567890\r\n", "ERROR BAD_ARGUMENTS"),
            row("SUB foo\r\n", "ERROR BAD_ARGUMENTS"),
            row("SUB foo q 1 extra\r\n", "ERROR BAD_ARGUMENTS"),
            row("UNSUB \r\n", "ERROR BAD_ARGUMENTS"),
            row("UNSUB 1 2 3\r\n", "ERROR BAD_ARGUMENTS"),
            row("CONNECT\r\n", "ERROR BAD_ARGUMENTS"),
            row("CONNECT \r\n", "ERROR BAD_ARGUMENTS"),
            row("HPUB foo 5 3\r\n", "ERROR BAD_ARGUMENTS"),
            row("HPUB foo 12\r\n", "ERROR BAD_ARGUMENTS"),
            row("-ERR 'x'\r\n", "ERROR CLIENT_ERROR"),
            // limits
            row("PUB foo 2000000\r\n", "ERROR MAX_PAYLOAD"),
            row("PUB " + "a".repeat(5000) + " 1\r\n", "ERROR MAX_CONTROL_LINE"),
            row("PUB " + "a".repeat(5000), "ERROR MAX_CONTROL_LINE"),
            // the parser stops at the first fault
            row("PING\r\nFOO\r\nPING\r\n", "PING", "ERROR UNKNOWN_OPERATION"));
    }

    private static Arguments row(String input, String... expected) {
        return Arguments.of(input, List.of(expected));
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("table")
    void parsesAsNatsServerDoes(String input, List<String> expected) {
        assertEquals(expected, parseWhole(input));
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("table")
    void givesTheSameResultWhenSplitAtEveryByte(String input, List<String> expected) {
        byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        for (int cut = 1; cut < bytes.length; cut++) {
            RecordingHandler h = new RecordingHandler();
            ProtocolParser p = parser(h);
            p.parse(bytes, 0, cut);
            if (!p.hasFailed()) {
                p.parse(bytes, cut, bytes.length - cut);
            }
            assertEquals(expected, h.events, "split at byte " + cut);
        }
    }

    @Test
    void feedsOneByteAtATime() {
        String input = "CONNECT {}\r\nSUB a.> q 9\r\nPUB a.b r 5\r\nhello\r\nHPUB a h 12 13\r\nNATS/1.0\r\n\r\nx\r\n"
            + "UNSUB 9 2\r\nPING\r\nPONG\r\n";
        byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        RecordingHandler h = new RecordingHandler();
        ProtocolParser p = parser(h);
        for (int i = 0; i < bytes.length; i++) {
            assertEquals(1, p.parse(bytes, i, 1));
        }
        assertEquals(List.of("CONNECT {}", "SUB a.> queue=q sid=9", "PUB a.b reply=r [hello]",
            "HPUB a reply=h hdr=12 [NATS/1.0\r\n\r\nx]", "UNSUB 9 max=2", "PING", "PONG"), h.events);
    }

    @Test
    void carriesAMegabytePayloadAcrossRandomChunks() {
        byte[] payload = new byte[MAX_PAYLOAD];
        new Random(7).nextBytes(payload);
        byte[] head = ("PUB big " + payload.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + payload.length + 2];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(payload, 0, all, head.length, payload.length);
        all[all.length - 2] = '\r';
        all[all.length - 1] = '\n';
        byte[][] got = new byte[1][];
        ProtocolParser p = new ProtocolParser(new RecordingHandler() {
            @Override
            public void onPublish(PubArgs args, byte[] buf, int off, int len) {
                got[0] = java.util.Arrays.copyOfRange(buf, off, off + len);
                assertEquals("big", args.subject());
            }
        }, MAX_CONTROL_LINE, MAX_PAYLOAD);
        Random r = new Random(11);
        int pos = 0;
        while (pos < all.length) {
            int n = Math.min(all.length - pos, 1 + r.nextInt(70_000));
            assertEquals(n, p.parse(all, pos, n));
            pos += n;
        }
        assertTrue(java.util.Arrays.equals(payload, got[0]));
    }

    @Test
    void pausesAfterTheOperationThatAskedAndGoesOnFromThere() {
        byte[] bytes = "SUB a 1\r\nPUB a 1\r\nx\r\n".getBytes(StandardCharsets.US_ASCII);
        ProtocolParser[] self = new ProtocolParser[1];
        RecordingHandler h = new RecordingHandler() {
            @Override
            public void onSubscribe(String subject, String queue, String sid) {
                super.onSubscribe(subject, queue, sid);
                self[0].pause();
            }
        };
        self[0] = parser(h);
        int consumed = self[0].parse(bytes, 0, bytes.length);
        assertEquals("SUB a 1\r\n".length(), consumed);
        assertEquals(List.of("SUB a sid=1"), h.events);
        self[0].parse(bytes, consumed, bytes.length - consumed);
        assertEquals(List.of("SUB a sid=1", "PUB a [x]"), h.events);
    }

    @Test
    void refusesHeadersUntilTheClientAnnouncedThem() {
        RecordingHandler h = new RecordingHandler();
        ProtocolParser p = new ProtocolParser(h, MAX_CONTROL_LINE, MAX_PAYLOAD);
        byte[] bytes = "HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII);
        p.parse(bytes, 0, bytes.length);
        assertEquals(List.of("ERROR BAD_ARGUMENTS"), h.events);
    }

    private static List<String> parseWhole(String input) {
        RecordingHandler h = new RecordingHandler();
        byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        parser(h).parse(bytes, 0, bytes.length);
        return h.events;
    }

    private static ProtocolParser parser(RecordingHandler h) {
        ProtocolParser p = new ProtocolParser(h, MAX_CONTROL_LINE, MAX_PAYLOAD);
        p.setHeadersAllowed(true);
        return p;
    }
}
