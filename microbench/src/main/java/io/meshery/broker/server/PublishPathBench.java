package io.meshery.broker.server;

import io.meshery.broker.microbench.Frames;
import io.meshery.broker.microbench.IgnoringHandler;
import io.meshery.broker.protocol.ProtocolParser;
import io.meshery.broker.protocol.PubArgs;
import io.meshery.broker.routing.Fanout;
import io.meshery.broker.routing.SubjectIndex;
import io.meshery.broker.routing.Subscriber;
import io.meshery.broker.routing.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.util.ByteString;
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
 * The publish to deliver path in one thread, without sockets or actors: a read chunk of {@value Frames#BATCH}
 * {@code PUB bench.<scenario> 16} frames is parsed, each message is matched against the index and encoded
 * into every receiver's {@link Outbound}, and at the end of the chunk each touched receiver is flushed once
 * and drains its buffer as one {@link ByteString}, as it would hand it to the socket. One operation is one
 * published message; {@code gc.alloc.rate.norm} from {@code -prof gc} is the bytes allocated per published
 * message on this path (per delivery: divide by the receivers, 5 for {@code fanout5}).
 *
 * <p>The fan-out measured is the node's own {@link Fanout}; {@link Publisher} adds what the connection does
 * around it per PUB and per read. Not covered: the Pekko TCP read (a fresh {@code ByteString} per read, about
 * the frame's size per message) and write, the flow-control check per touched receiver (the receivers here
 * never hold a publisher), and the async callback that wakes a receiver's stream actor.
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
public class PublishPathBench {

    private static final int PAYLOAD = 16;

    /** {@code pub}: nobody subscribes; {@code pubsub}: one subscriber; {@code fanout5}: five; {@code queue4}: a group of four. */
    @Param({"pub", "pubsub", "fanout5", "queue4"})
    public String scenario;

    private byte[] chunk;
    private Publisher publisher;
    private ProtocolParser parser;

    @Setup(Level.Trial)
    public void setUp() {
        SubjectIndex index = new SubjectIndex(8);
        String subject = "bench." + scenario;
        int receivers = switch (scenario) {
            case "pub" -> 0;
            case "pubsub" -> 1;
            case "fanout5" -> 5;
            case "queue4" -> 4;
            default -> throw new IllegalArgumentException(scenario);
        };
        for (int i = 0; i < receivers; i++) {
            Receiver r = new Receiver(64L * 1024 * 1024, true);
            index.insert(new Subscription(r, subject, scenario.equals("queue4") ? "q" : null, "1"));
        }
        chunk = Frames.pubs(subject, null, PAYLOAD, Frames.BATCH);
        publisher = new Publisher(index);
        parser = new ProtocolParser(publisher, 4096, 1024 * 1024);
    }

    @Benchmark
    @OperationsPerInvocation(Frames.BATCH)
    public long publishChunk() {
        int n = parser.parse(chunk, 0, chunk.length);
        if (n != chunk.length) {
            throw new IllegalStateException("parser stopped");
        }
        publisher.endBatch();
        return publisher.deliveries;
    }

    /**
     * The publishing connection's side: what {@code ClientConnection.Client} does per PUB ({@code onPublish}) and
     * per read ({@code endBatch}), its own counters around the node's {@link Fanout}, which does the rest.
     */
    static final class Publisher extends IgnoringHandler {
        private final Fanout fanout;
        private final LongAdder serverInMsgs = new LongAdder();
        private final LongAdder serverInBytes = new LongAdder();
        private final LongAdder serverOutMsgs = new LongAdder();
        private final List<Subscriber> blockers = new ArrayList<>();
        private volatile long inMsgs;
        private volatile long inBytes;
        private long batchMsgs;
        private long batchBytes;
        long deliveries;

        Publisher(SubjectIndex index) {
            this.fanout = new Fanout(index, serverOutMsgs, new LongAdder());
        }

        @Override
        public void onPublish(PubArgs args, byte[] buf, int off, int len) {
            batchMsgs++;
            batchBytes += len;
            fanout.publish(null, true, false, args.subject(), args, buf, off, len);
        }

        void endBatch() {
            if (batchMsgs > 0) {
                inMsgs += batchMsgs;
                inBytes += batchBytes;
                serverInMsgs.add(batchMsgs);
                serverInBytes.add(batchBytes);
                batchMsgs = 0;
                batchBytes = 0;
            }
            fanout.endBatch(null, null, blockers);
            deliveries = serverOutMsgs.sum();
        }
    }

    /**
     * A receiving connection: {@code deliver} appends to its {@link Outbound} as the connection does, and
     * {@code flush} drains it at once, as the publisher's thread does when it writes into the receiver's socket.
     */
    static final class Receiver implements Subscriber {
        private final Outbound outbound;
        private final boolean headers;
        ByteString lastWrite;
        long written;

        Receiver(long maxPending, boolean headers) {
            this.outbound = new Outbound(maxPending, new BufferBudget(Long.MAX_VALUE / 2));
            this.headers = headers;
        }

        @Override
        public boolean deliver(Subscription sub, PubArgs msg, byte[] buf, int off, int len) {
            return outbound.appendMessage(sub, msg, buf, off, len, headers) == Outbound.Result.QUEUED;
        }

        @Override
        public void flush() {
            ByteString bytes = outbound.drain();
            outbound.writeCompleted(0); // as the socket does: what was handed over is written
            if (bytes != null) {
                lastWrite = bytes;
                written += bytes.length();
            }
        }

        @Override
        public void subscriptionFinished(Subscription sub) {
        }

        @Override
        public long id() {
            return 1;
        }
    }
}
