package io.meshery.broker.bench.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameScannerTest {

    /** Every frame a server sends, concatenated: four messages (one with a reply, one HMSG, one with odd spacing) and control frames. */
    private static final String STREAM = "INFO {\"server_id\":\"x\",\"headers\":true}\r\n"
            + "PONG\r\n"
            + "MSG foo.bar 1 5\r\nhello\r\n"
            + "PING\r\n"
            + "msg _INBOX.x.7 9 reply.to 0\r\n\r\n"
            + "HMSG h 2 23 28\r\nNATS/1.0\r\nK: Vxxxxx\r\n\r\n12345\r\n"
            + "+OK\r\n"
            + "MSG big\t3   12\r\n0123456789\r\n\r\n";

    private record Seen(String subject, String reply, int size) {
    }

    private static final class Recorder implements FrameScanner.MsgHandler {
        final List<Seen> seen = new ArrayList<>();

        @Override
        public void onMsg(byte[] b, int s, int e, int rs, int re, int size) {
            seen.add(new Seen(text(b, s, e), rs < 0 ? null : text(b, rs, re), size));
        }
    }

    private static String text(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.US_ASCII);
    }

    private static final List<Seen> EXPECTED = List.of(
            new Seen("foo.bar", null, 5),
            new Seen("_INBOX.x.7", "reply.to", 0),
            new Seen("h", null, 28),
            new Seen("big", null, 12));

    @Test
    void scansEveryFrameKindInOneRead() throws Exception {
        byte[] bytes = STREAM.getBytes(StandardCharsets.US_ASCII);
        FrameScanner scanner = new FrameScanner();
        Recorder recorder = new Recorder();
        assertEquals(bytes.length, scanner.scan(bytes, 0, bytes.length, recorder));
        assertEquals(EXPECTED, recorder.seen);
        assertEquals(4, scanner.messagesCompleted());
        assertEquals(1, scanner.pings());
        assertEquals(1, scanner.pongs());
        assertEquals(1, scanner.infos());
        assertEquals(1, scanner.oks());
        assertEquals(0, scanner.errors());
    }

    /** Feeds the stream in two reads split at every byte, carrying the unconsumed tail as a connection does. */
    @Test
    void givesTheSameResultWhateverTheSplit() throws Exception {
        byte[] bytes = STREAM.getBytes(StandardCharsets.US_ASCII);
        for (int split = 0; split <= bytes.length; split++) {
            FrameScanner scanner = new FrameScanner();
            Recorder recorder = new Recorder();
            byte[] buf = new byte[bytes.length];
            System.arraycopy(bytes, 0, buf, 0, split);
            int consumed = scanner.scan(buf, 0, split, recorder);
            int carried = split - consumed;
            System.arraycopy(buf, consumed, buf, 0, carried);
            System.arraycopy(bytes, split, buf, carried, bytes.length - split);
            int filled = carried + bytes.length - split;
            assertEquals(filled, scanner.scan(buf, 0, filled, recorder), "split at " + split);
            assertEquals(EXPECTED, recorder.seen, "split at " + split);
            assertEquals(4, scanner.messagesCompleted(), "split at " + split);
        }
    }

    /** Collects each payload a {@link FrameScanner.PayloadHandler} is given. */
    private static final class PayloadRecorder implements FrameScanner.PayloadHandler {
        final List<String> payloads = new ArrayList<>();
        private final StringBuilder current = new StringBuilder();

        @Override
        public void onMsg(byte[] b, int s, int e, int rs, int re, int size) {
            current.setLength(0);
        }

        @Override
        public void onPayload(byte[] b, int from, int to) {
            current.append(text(b, from, to));
        }

        @Override
        public void onPayloadEnd() {
            payloads.add(current.toString());
        }
    }

    @Test
    void handsPayloadsWithoutTheirCrlfToAPayloadHandlerWhateverTheSplit() throws Exception {
        byte[] bytes = STREAM.getBytes(StandardCharsets.US_ASCII);
        List<String> expected = List.of("hello", "", "NATS/1.0\r\nK: Vxxxxx\r\n\r\n12345", "0123456789\r\n");
        for (int split = 0; split <= bytes.length; split++) {
            FrameScanner scanner = new FrameScanner();
            PayloadRecorder recorder = new PayloadRecorder();
            byte[] buf = new byte[bytes.length];
            System.arraycopy(bytes, 0, buf, 0, split);
            int consumed = scanner.scan(buf, 0, split, recorder);
            int carried = split - consumed;
            System.arraycopy(buf, consumed, buf, 0, carried);
            System.arraycopy(bytes, split, buf, carried, bytes.length - split);
            int filled = carried + bytes.length - split;
            assertEquals(filled, scanner.scan(buf, 0, filled, recorder), "split at " + split);
            assertEquals(expected, recorder.payloads, "split at " + split);
        }
    }

    @Test
    void passesOverAPayloadSpanningManyReads() throws Exception {
        String payload = "x".repeat(10_000);
        byte[] bytes = ("MSG s 1 10000\r\n" + payload + "\r\nPING\r\n").getBytes(StandardCharsets.US_ASCII);
        FrameScanner scanner = new FrameScanner();
        int at = 0;
        byte[] carry = new byte[bytes.length];
        int carried = 0;
        while (at < bytes.length) {
            int n = Math.min(7, bytes.length - at);
            System.arraycopy(bytes, at, carry, carried, n);
            at += n;
            int filled = carried + n;
            int consumed = scanner.scan(carry, 0, filled, FrameScanner.IGNORE);
            carried = filled - consumed;
            System.arraycopy(carry, consumed, carry, 0, carried);
        }
        assertEquals(1, scanner.messagesCompleted());
        assertEquals(1, scanner.pings());
    }

    @Test
    void keepsTheFirstErrorText() throws Exception {
        byte[] bytes = "-ERR 'Slow Consumer'\r\n-ERR 'other'\r\n".getBytes(StandardCharsets.US_ASCII);
        FrameScanner scanner = new FrameScanner();
        scanner.scan(bytes, 0, bytes.length, FrameScanner.IGNORE);
        assertEquals(2, scanner.errors());
        assertEquals("-ERR 'Slow Consumer'", scanner.firstError());
    }

    @Test
    void rejectsMalformedFrames() {
        for (String bad : List.of("FOO\r\n", "MSG a 1\r\n", "MSG a 1 x\r\n", "MSG a 1 2 3 4\r\n",
                "HMSG a 1 2\r\n", "MSG a 1 -5\r\n")) {
            byte[] bytes = bad.getBytes(StandardCharsets.US_ASCII);
            assertThrows(NatsProtocolException.class,
                    () -> new FrameScanner().scan(bytes, 0, bytes.length, FrameScanner.IGNORE), bad);
        }
    }

    @Test
    void rejectsAnEndlessControlLine() {
        byte[] bytes = "MSG ".concat("a".repeat(FrameScanner.MAX_CONTROL_LINE + 1))
                .getBytes(StandardCharsets.US_ASCII);
        assertThrows(NatsProtocolException.class,
                () -> new FrameScanner().scan(bytes, 0, bytes.length, FrameScanner.IGNORE));
    }
}
