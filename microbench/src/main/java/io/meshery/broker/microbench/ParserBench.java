package io.meshery.broker.microbench;

import io.meshery.broker.protocol.ProtocolParser;
import io.meshery.broker.protocol.PubArgs;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link ProtocolParser} alone: one operation is one parsed message (or SUB line). A read chunk holds
 * {@value Frames#BATCH} operations; {@code chunk} cuts it into pieces of that many bytes, as short socket
 * reads would, so that lines and payloads span pieces and the parser carries them over.
 *
 * <p>The handler keeps the subject {@code String}, as the connection does (it is the match cache's key), so
 * its cost is counted here.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ParserBench {

    /** Bytes per parse call; 0 hands the whole chunk in at once (the common case: 128 KiB reads). */
    @Param({"0", "1500", "37"})
    public int chunk;

    private byte[] pub16;
    private byte[] pubReply;
    private byte[] hpub;
    private byte[] sub;
    private ProtocolParser parser;
    private final Sink sink = new Sink();

    @Setup(Level.Trial)
    public void setUp() {
        pub16 = Frames.pubs("bench.pubsub", null, 16, Frames.BATCH);
        pubReply = Frames.pubs("bench.req", "_INBOX.x.12345", 16, Frames.BATCH);
        hpub = Frames.hpubs("bench.hdr", "NATS/1.0\r\nNats-Msg-Id: 1\r\n\r\n", 16, Frames.BATCH);
        sub = Frames.subs("svc.events", null, Frames.BATCH);
        parser = new ProtocolParser(sink, 4096, 1024 * 1024);
        parser.setHeadersAllowed(true);
    }

    /** {@code PUB bench.pubsub 16}: what every throughput scenario sends. */
    @Benchmark
    @OperationsPerInvocation(Frames.BATCH)
    public long pub() {
        return feed(pub16);
    }

    /** {@code PUB bench.req _INBOX.x.12345 16}: a request. */
    @Benchmark
    @OperationsPerInvocation(Frames.BATCH)
    public long pubWithReply() {
        return feed(pubReply);
    }

    /** {@code HPUB} with one header. */
    @Benchmark
    @OperationsPerInvocation(Frames.BATCH)
    public long hpub() {
        return feed(hpub);
    }

    /** {@code SUB svc.events.<i> <i>}: three strings per line are made for the subscription. */
    @Benchmark
    @OperationsPerInvocation(Frames.BATCH)
    public long sub() {
        return feed(sub);
    }

    private long feed(byte[] bytes) {
        int step = chunk == 0 ? bytes.length : chunk;
        for (int off = 0; off < bytes.length; off += step) {
            int n = Math.min(step, bytes.length - off);
            if (parser.parse(bytes, off, n) != n) {
                throw new IllegalStateException("parser stopped");
            }
        }
        return sink.bytes;
    }

    /** Takes what a connection takes from each callback, and keeps it where the JIT cannot drop it. */
    static final class Sink extends IgnoringHandler {
        long bytes;
        String subject;
        String queue;
        String sid;

        @Override
        public void onPublish(PubArgs args, byte[] buf, int off, int len) {
            subject = args.subject();
            bytes += len + args.replyLength();
        }

        @Override
        public void onSubscribe(String subject, String queue, String sid) {
            this.subject = subject;
            this.queue = queue;
            this.sid = sid;
        }
    }
}
