package io.meshery.broker.bench.scenario;

import io.meshery.broker.bench.wire.NatsWireClient;
import io.meshery.broker.bench.wire.PubBatch;
import java.io.IOException;

/**
 * Publishes a count of messages by writing a {@link PubBatch} again and again (the last write trimmed to the count),
 * then flushes with {@code PING}/{@code PONG} so that the server has taken every message before the run is judged.
 */
final class Publisher {

    /**
     * @param published    messages written (fewer than asked when the deadline stopped the publisher)
     * @param firstNanos   {@link System#nanoTime()} just before the first write
     * @param flushedNanos when the server's {@code PONG} arrived
     * @param pausedNanos  time spent waiting for consumers to catch up (flow control)
     */
    record Result(long published, long firstNanos, long flushedNanos, long pausedNanos) {
    }

    private Publisher() {
    }

    /**
     * Publishes up to {@code count} messages on the calling thread.
     *
     * @param deadlineNanos publishing stops at this {@link System#nanoTime()} even if the count is not reached
     */
    static Result publish(NatsWireClient connection, PubBatch batch, long count, long deadlineNanos,
                          FlowControl flowControl) throws IOException {
        long sent = 0;
        long first = System.nanoTime();
        while (sent < count && System.nanoTime() < deadlineNanos) {
            int n = (int) Math.min(batch.messages(), count - sent);
            connection.send(batch.frames(n));
            sent += n;
            flowControl.await(sent, deadlineNanos);
        }
        connection.flush();
        return new Result(sent, first, System.nanoTime(), flowControl.pausedNanos());
    }
}
