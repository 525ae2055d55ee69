package io.meshery.broker.bench.scenario;

import io.meshery.broker.bench.wire.FrameScanner;
import io.meshery.broker.bench.wire.NatsWireClient;
import java.io.IOException;

/**
 * A subscriber connection with its own reader thread that counts the messages it receives.
 *
 * <p>{@link #start} subscribes and flushes before it returns, so the server holds the interest before anyone
 * publishes. The reader publishes its count and the time of its latest receipt after every read (two volatile
 * writes per read, none per message). If the server closes the connection, or a read fails, before the run closes
 * it, the subscriber is marked {@link #disconnected()}: a slow-consumer disconnect shows up this way.
 */
final class CountingSubscriber {

    private static final int READ_BUFFER = 1 << 20;

    private final NatsWireClient connection;
    private volatile long received;
    private volatile long lastReceiptNanos;
    private volatile boolean disconnected;
    private volatile String failure;

    private CountingSubscriber(NatsWireClient connection) {
        this.connection = connection;
    }

    /** Connects, subscribes to {@code subject} (in {@code queue} unless null), flushes, and starts reading. */
    static CountingSubscriber start(ScenarioContext ctx, String name, String subject, String queue)
            throws IOException {
        return start(ctx, 0, name, subject, queue);
    }

    /** {@link #start(ScenarioContext, String, String, String)} on node {@code node} (0-based) of a cluster. */
    static CountingSubscriber start(ScenarioContext ctx, int node, String name, String subject, String queue)
            throws IOException {
        NatsWireClient connection = ctx.connect(node, name, READ_BUFFER);
        connection.subscribe(subject, queue, 1);
        connection.flush();
        CountingSubscriber subscriber = new CountingSubscriber(connection);
        ctx.startThread("bench-" + name, subscriber::readLoop);
        return subscriber;
    }

    private void readLoop() {
        try {
            while (true) {
                if (connection.read(FrameScanner.IGNORE) < 0) {
                    fail("server closed the connection");
                    return;
                }
                long n = connection.messagesCompleted();
                if (n != received) {
                    lastReceiptNanos = System.nanoTime();
                    received = n;
                }
            }
        } catch (IOException | RuntimeException e) {
            fail(e.toString());
        }
    }

    private void fail(String why) {
        if (!connection.closedByClient()) {
            failure = connection.name() + ": " + why;
            disconnected = true;
        }
    }

    /** Messages received in full. */
    long received() {
        return received;
    }

    /** {@link System#nanoTime()} of the read that brought the latest message; 0 before any. */
    long lastReceiptNanos() {
        return lastReceiptNanos;
    }

    /** True if the connection was lost before the run closed it. */
    boolean disconnected() {
        return disconnected;
    }

    /** Why the connection was lost, or null. */
    String failure() {
        return failure;
    }
}
