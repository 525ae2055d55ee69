package io.meshery.broker.bench.scenario;

import io.meshery.broker.bench.wire.FrameScanner;
import io.meshery.broker.bench.wire.NatsWireClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The replying client of the request-reply scenario: answers every message that has a reply subject with
 * {@code PUB <reply> <n>\r\n<payload>\r\n}, the replies of one read sent in one write.
 *
 * <p>Thread-safety: {@link #run} is the connection's owning thread; {@link #failure} may be read from any thread.
 */
final class Replier implements FrameScanner.MsgHandler, Runnable {

    private static final byte[] PUB = "PUB ".getBytes(StandardCharsets.US_ASCII);

    private final NatsWireClient connection;
    /** {@code " <n>\r\n<payload>\r\n"}, encoded once. */
    private final byte[] tail;
    private final byte[] out = new byte[256 * 1024];
    private int length;
    private IOException pending;
    private volatile String failure;

    /** A replier on a connection that has already subscribed to the request subject. */
    Replier(NatsWireClient connection, byte[] payload) {
        this.connection = connection;
        this.tail = Payloads.pubTail(payload);
    }

    /** Reads and replies until the connection closes. */
    @Override
    public void run() {
        try {
            while (connection.read(this) >= 0) {
                if (pending != null) {
                    throw pending;
                }
                if (length > 0) {
                    connection.send(out, length);
                    length = 0;
                }
            }
            fail("server closed the connection");
        } catch (IOException | RuntimeException e) {
            fail(e.toString());
        }
    }

    /** Why the replier stopped before the run closed it, or null. */
    String failure() {
        return failure;
    }

    private void fail(String why) {
        if (!connection.closedByClient()) {
            failure = why;
        }
    }

    @Override
    public void onMsg(byte[] b, int subjectStart, int subjectEnd, int replyStart, int replyEnd, int payloadSize) {
        if (replyStart < 0) {
            return;
        }
        int replyLength = replyEnd - replyStart;
        if (length + PUB.length + replyLength + tail.length > out.length) {
            try {
                connection.send(out, length);
                length = 0;
            } catch (IOException e) {
                pending = e;
                return;
            }
        }
        System.arraycopy(PUB, 0, out, length, PUB.length);
        length += PUB.length;
        System.arraycopy(b, replyStart, out, length, replyLength);
        length += replyLength;
        System.arraycopy(tail, 0, out, length, tail.length);
        length += tail.length;
    }
}
