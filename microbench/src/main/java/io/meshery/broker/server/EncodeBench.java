package io.meshery.broker.server;

import io.meshery.broker.microbench.Frames;
import io.meshery.broker.protocol.PubArgs;
import io.meshery.broker.routing.Subscription;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.util.ByteString;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Encoding one delivery into the receiver's {@link Outbound}: the {@code MSG}/{@code HMSG} line and the
 * payload copy. One operation is one message. Every {@value #DRAIN_BYTES} bytes or so the buffer is drained
 * as the connection does when the socket takes more, so the cost of the buffers handed to the socket is
 * spread over the messages that filled them.
 *
 * <p>This class sits in the node's package (in the microbench module) because {@code Outbound} is
 * package-private there.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class EncodeBench {

    /** Bytes the socket takes per write in this model; under load the broker's writes are of this order. */
    static final int DRAIN_BYTES = 64 * 1024;

    @Param({"16", "65536"})
    public int size;

    private Outbound outbound;
    private Subscription sub;
    private PubArgs plain;
    private PubArgs withReply;
    private PubArgs withHeaders;
    private byte[] payload;
    private byte[] headered;
    private int drainEvery;
    private int queued;

    @Setup(Level.Trial)
    public void setUp() {
        outbound = new Outbound(64L * 1024 * 1024, new BufferBudget(Long.MAX_VALUE / 2));
        sub = new Subscription(new PublishPathBench.Receiver(64L * 1024 * 1024, true), "bench.>", null, "1");
        payload = Frames.payload(size);
        byte[] hdr = Frames.ascii("NATS/1.0\r\nNats-Msg-Id: 1\r\n\r\n");
        headered = new byte[hdr.length + size];
        System.arraycopy(hdr, 0, headered, 0, hdr.length);
        plain = PubArgs.of("bench.pubsub", null, -1, size);
        withReply = PubArgs.of("bench.req", "_INBOX.x.12345", -1, size);
        withHeaders = PubArgs.of("bench.hdr", null, hdr.length, headered.length);
        drainEvery = Math.max(1, DRAIN_BYTES / (size + 32));
    }

    /** {@code MSG bench.pubsub 1 <n>}. */
    @Benchmark
    public Object msg(Blackhole bh) {
        outbound.appendMessage(sub, plain, payload, 0, payload.length, true);
        return drainNow(bh);
    }

    /** {@code MSG bench.req 1 _INBOX.x.12345 <n>}. */
    @Benchmark
    public Object msgWithReply(Blackhole bh) {
        outbound.appendMessage(sub, withReply, payload, 0, payload.length, true);
        return drainNow(bh);
    }

    /** {@code HMSG bench.hdr 1 <h> <n>}. */
    @Benchmark
    public Object hmsg(Blackhole bh) {
        outbound.appendMessage(sub, withHeaders, headered, 0, headered.length, true);
        return drainNow(bh);
    }

    private Object drainNow(Blackhole bh) {
        if (++queued < drainEvery) {
            return null;
        }
        queued = 0;
        ByteString out = outbound.drain();
        outbound.writeCompleted(0); // as the socket does: what was handed over is written
        bh.consume(out);
        return out;
    }
}
