package io.meshery.broker.cluster;

import io.meshery.broker.protocol.PubArgs;
import io.meshery.broker.routing.FlowWaiter;
import io.meshery.broker.routing.RemoteNode;
import io.meshery.broker.routing.SubjectShard;
import io.meshery.broker.routing.SubjectShards;
import io.meshery.broker.routing.Subscription;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's link to one other node (nats-server's route): both directions.
 *
 * <p><b>Out</b>, from any publisher's thread: {@link #forward} appends a message record to one ordered stream,
 * the same stream that carries this node's interest ({@link #sendInterest}), so a peer always knows of a
 * subscription before it sees a message published after it. {@link #flush} cuts the stream into frames of at
 * most {@value #FRAME_BYTES} bytes and sends them while fewer than {@value #WINDOW_BYTES} bytes (at most a quarter
 * of max_pending) are unacknowledged: Artery drops what does not fit its queue, so it must never be flooded. Flow
 * control as for a client: while the stream holds more than {@value #HOLD_BYTES} bytes (at most a quarter of
 * max_pending) and the peer keeps acknowledging, the publishers that fed it wait; a peer that acknowledges nothing
 * for {@value #STUCK_MILLIS} ms holds nobody, and past max_pending its messages are dropped and counted as a slow
 * consumer (a route in {@code slow_consumer_stats}), so a stuck node never stalls this one.
 *
 * <p>Frames leave over this node's own connection to the peer ({@link RouteStreams.Out}) when the peer announced
 * one, else (and when that connection cannot be opened or breaks) as Pekko remoting messages.
 *
 * <p><b>In</b>, under the in-lock, on the thread that reads the peer's frames (a {@link RouteStreams} reader, or
 * the {@link RouteManager}'s for frames that came over Pekko remoting): {@link #readFrame} and {@link #receive}
 * read the peer's records, deliver its messages to this node's subscribers (never on to another node) and keep the
 * peer's interest in the index as subscriptions owned by this link.
 */
public final class RouteLink implements RemoteNode {

    private static final Logger log = LoggerFactory.getLogger(RouteLink.class);

    static final int FRAME_BYTES = 128 * 1024;
    static final int WINDOW_BYTES = 4 * 1024 * 1024;
    static final int HOLD_BYTES = 4 * 1024 * 1024;
    /** Window and hold threshold take at most this share of max_pending each, so a healthy link never drops. */
    private static final int PENDING_SHARE = 4;
    static final long STUCK_MILLIS = 500;
    private static final long STUCK_NANOS = TimeUnit.MILLISECONDS.toNanos(STUCK_MILLIS);
    /** Delivered bytes past which a frame is acknowledged at once. */
    private static final int ACK_BYTES = 64 * 1024;

    /** What the peer said of itself in its hello; {@code streamPort} 0 when it takes no route stream connections. */
    public record Peer(long uid, String address, String host, int port, String serverId, String serverName,
                       String clientUrl, boolean jetStream, int streamPort) {}

    private final long rid;
    private final Peer peer;
    private final ActorRef<RouteMessage> remote;
    private final long selfUid;
    private final boolean didSolicit;
    private final boolean configured;
    private final long maxPending;
    /** Unacknowledged bytes allowed on the wire. */
    private final long window;
    /** Queued bytes past which the publishers that feed this link wait. */
    private final long hold;
    private final Instant start = Instant.now();
    private final LongAdder routeSlowConsumers;

    // ---- out: guarded by this ----
    private final RouteRecords.Sink out = new RouteRecords.Sink(64 * 1024);
    private final ArrayDeque<long[]> inFlight = new ArrayDeque<>();
    private long inFlightBytes;
    private long nextSeq;
    private long lastProgressNanos = System.nanoTime();
    private final List<FlowWaiter> waiters = new ArrayList<>();
    /** This node's own connection to the peer, or null to send over Pekko remoting. */
    private RouteStreams.Out stream;
    private volatile boolean closed;
    private boolean dropping;
    private long outMsgs;
    private long outBytes;

    // ---- in: guarded by inLock; counters read by monitoring ----
    private final Object inLock = new Object();
    private boolean inClosed;
    /** Whether a reader of the peer's stream connection delivers its frames (and so resumes after a wait). */
    private boolean fedBySocket;
    private final RouteRecords.Reader reader = new RouteRecords.Reader();
    private long lastSeqIn;
    private long unackedSeq;
    private long unackedBytes;
    /** The peer's subscriptions sent to the shards and not yet confirmed. */
    private int unconfirmed;
    private volatile long inMsgs;
    private volatile long inBytes;
    private volatile long lastActivityMillis = System.currentTimeMillis();
    private volatile long rttNanos;
    /** The peer's interest, as subscriptions of this link in the index; key "subject queue". */
    private final Map<String, Subscription> remoteSubs = new ConcurrentHashMap<>();

    RouteLink(long rid, Peer peer, ActorRef<RouteMessage> remote, long selfUid, boolean didSolicit,
              boolean configured, long maxPending, LongAdder routeSlowConsumers) {
        this.rid = rid;
        this.peer = peer;
        this.remote = remote;
        this.selfUid = selfUid;
        this.didSolicit = didSolicit;
        this.configured = configured;
        this.maxPending = maxPending;
        this.window = Math.max(FRAME_BYTES, Math.min(WINDOW_BYTES, maxPending / PENDING_SHARE));
        this.hold = Math.max(FRAME_BYTES, Math.min(HOLD_BYTES, maxPending / PENDING_SHARE));
        this.routeSlowConsumers = routeSlowConsumers;
    }

    // ---- out ---------------------------------------------------------------------------------------------

    @Override
    public boolean forward(String matchSubject, PubArgs msg, byte[] buf, int off, int len, String[] queues,
                           int queueCount) {
        synchronized (this) {
            if (closed) {
                return false;
            }
            int size = RouteRecords.messageSize(matchSubject, msg, len, queues, queueCount);
            if (out.size() > 0 && out.size() + inFlightBytes + size > maxPending) {
                if (!dropping) {
                    dropping = true;
                    routeSlowConsumers.increment();
                    log.warn("Route {} ({}) Slow Consumer Detected: MaxPending of {} Exceeded; dropping messages to it",
                        rid, peer.serverName(), maxPending);
                }
                return false;
            }
            RouteRecords.writeMessage(out, matchSubject, msg, buf, off, len, queues, queueCount);
            outMsgs++;
            outBytes += len;
            return true;
        }
    }

    /** Appends an RS+ or RS- and sends it. */
    void sendInterest(boolean add, String subject, String queue) {
        synchronized (this) {
            if (closed) {
                return;
            }
            RouteRecords.writeInterest(out, add, subject, queue);
            sendAvailable();
        }
    }

    /** Appends a reset and the whole of {@code interest}: what a peer gets first. */
    void sendSnapshot(Iterable<ClusterInterest.Key> interest) {
        synchronized (this) {
            RouteRecords.writeReset(out);
            for (ClusterInterest.Key k : interest) {
                RouteRecords.writeInterest(out, true, k.subject(), k.queue());
            }
            sendAvailable();
        }
    }

    @Override
    public void flush() {
        synchronized (this) {
            sendAvailable();
        }
    }

    /** From now on frames go over {@code out} (once it is open); before the first frame only. */
    synchronized void sendOver(RouteStreams.Out out) {
        this.stream = out;
    }

    /** Sends frames while the window allows. Holds the lock, so frames leave in stream order. */
    private void sendAvailable() {
        while (!closed && out.size() > 0 && inFlightBytes < window) {
            if (stream != null && !stream.isOpen()) {
                if (stream.isConnecting()) {
                    return;
                }
                stream = null;
            }
            byte[] chunk = out.take(FRAME_BYTES);
            long seq = ++nextSeq;
            if (inFlight.isEmpty()) {
                lastProgressNanos = System.nanoTime();
            }
            inFlight.addLast(new long[] {seq, chunk.length});
            inFlightBytes += chunk.length;
            if (stream == null || !stream.send(seq, chunk)) {
                remote.tell(new RouteMessage.Frame(selfUid, seq, chunk));
            }
        }
    }

    /** The peer processed every frame up to {@code seq}. */
    void acked(long seq) {
        List<FlowWaiter> wake = null;
        synchronized (this) {
            while (!inFlight.isEmpty() && inFlight.peekFirst()[0] <= seq) {
                inFlightBytes -= inFlight.pollFirst()[1];
            }
            lastProgressNanos = System.nanoTime();
            sendAvailable();
            if (out.size() < maxPending / 2) {
                dropping = false;
            }
            if (!waiters.isEmpty() && out.size() < hold / 2) {
                wake = new ArrayList<>(waiters);
                waiters.clear();
            }
        }
        wakeAll(wake);
    }

    @Override
    public boolean holdsPublisher(FlowWaiter waiter, long nowNanos) {
        synchronized (this) {
            if (closed || out.size() <= hold || isStuck(nowNanos)) {
                return false;
            }
            waiters.add(waiter);
            return true;
        }
    }

    private boolean isStuck(long nowNanos) {
        return inFlightBytes > 0 && nowNanos - lastProgressNanos > STUCK_NANOS;
    }

    /** Called often by the manager: a peer that stopped acknowledging lets go of the publishers it held. */
    void tick(long nowNanos) {
        List<FlowWaiter> wake = null;
        synchronized (this) {
            if (!waiters.isEmpty() && isStuck(nowNanos)) {
                wake = new ArrayList<>(waiters);
                waiters.clear();
            }
        }
        wakeAll(wake);
    }

    private static void wakeAll(List<FlowWaiter> wake) {
        if (wake != null) {
            for (FlowWaiter w : wake) {
                w.receiverDrained();
            }
        }
    }

    /** The peer left: nothing more is queued for it, and its interest leaves the index. */
    void close(SubjectShards shards) {
        List<FlowWaiter> wake;
        RouteStreams.Out s;
        synchronized (this) {
            closed = true;
            out.clear();
            inFlight.clear();
            inFlightBytes = 0;
            wake = new ArrayList<>(waiters);
            waiters.clear();
            s = stream;
            stream = null;
        }
        if (s != null) {
            s.close();
        }
        wakeAll(wake);
        synchronized (inLock) {
            inClosed = true;
            inLock.notifyAll();
        }
        dropInterest(shards);
    }

    boolean isClosed() {
        return closed;
    }

    /** The node stops: its connection to the peer closes (the peer reads to its end and drops the link). */
    void closeStream() {
        RouteStreams.Out s;
        synchronized (this) {
            s = stream;
            stream = null;
        }
        if (s != null) {
            s.close();
        }
    }

    // ---- in ----------------------------------------------------------------------------------------------

    /** A frame that came over Pekko remoting, on the manager's thread: read, delivered, counted for the ack. */
    void receive(RouteMessage.Frame frame, RouteInbound in) {
        synchronized (inLock) {
            try {
                onFrame(frame.seq(), frame.data(), in);
            } catch (RuntimeException e) {
                log.error("Route {} ({}): cannot read frame {}: {}", rid, peer.serverName(), frame.seq(),
                    e.toString());
            }
            in.fanout.endBatch(this, null, List.of());
            delivered(frame.seq(), frame.data().length);
        }
    }

    /**
     * A frame read from the peer's stream connection, on its reader's thread: read and delivered; while the
     * shards confirm interest the frame announced, the reader waits here and then reads on.
     */
    void readFrame(long seq, byte[] data, RouteInbound in) throws InterruptedException {
        synchronized (inLock) {
            onFrame(seq, data, in);
            while (unconfirmed > 0 && !inClosed) {
                in.fanout.endBatch(this, null, List.of());
                inLock.wait(100);
                if (unconfirmed == 0) {
                    reader.resume(in);
                }
            }
            delivered(seq, data.length);
        }
    }

    /** Whether a reader of the peer's stream connection delivers its frames. */
    void fedBySocket(boolean fed) {
        synchronized (inLock) {
            fedBySocket = fed;
        }
    }

    /**
     * A shard confirmed one of the peer's subscriptions. When it was the last one, the records held back go on:
     * here (on the manager's thread) for a link fed over Pekko remoting, else on the reader that waits for it.
     */
    void confirmed(RouteInbound in) {
        synchronized (inLock) {
            unconfirmed = Math.max(0, unconfirmed - 1);
            if (unconfirmed > 0) {
                return;
            }
            if (fedBySocket) {
                inLock.notifyAll();
            } else {
                reader.resume(in);
                in.fanout.endBatch(this, null, List.of());
            }
        }
    }

    /** Reads one frame of the peer's stream into {@code handler}; false when a frame is missing before it. */
    private boolean onFrame(long seq, byte[] data, RouteRecords.Handler handler) {
        lastActivityMillis = System.currentTimeMillis();
        boolean inOrder = seq == lastSeqIn + 1;
        if (!inOrder) {
            log.error("Route {} ({}): frame {} came after frame {}; frames were lost, the stream restarts at this one",
                rid, peer.serverName(), seq, lastSeqIn);
            reader.clear();
        }
        lastSeqIn = seq;
        reader.read(data, handler);
        return inOrder;
    }

    void countIn(int bytes) {
        inMsgs++;
        inBytes += bytes;
    }

    /**
     * Puts the peer's interest into the index through its shard; the shard confirms to {@code confirm}, and until
     * every such confirmation is in, the peer's next message waits ({@link #mustWait}): the reply to a request
     * published right after a subscription must find that subscription, as it would on one node.
     */
    void addInterest(String subject, String queue, SubjectShards shards, ActorRef<SubjectShard.Subscribed> confirm) {
        String key = queue == null ? subject : subject + " " + queue;
        if (inClosed || remoteSubs.containsKey(key)) {
            return;
        }
        Subscription sub = new Subscription(this, subject, queue, key);
        remoteSubs.put(key, sub);
        unconfirmed++;
        shards.shardFor(subject).tell(new SubjectShard.Subscribe(sub, confirm));
    }

    /** Whether the peer's next message has to wait for the shards to confirm its interest (under the in-lock). */
    boolean mustWait() {
        return unconfirmed > 0;
    }

    void removeInterest(String subject, String queue, SubjectShards shards) {
        Subscription sub = remoteSubs.remove(queue == null ? subject : subject + " " + queue);
        if (sub != null) {
            sub.close();
            shards.shardFor(subject).tell(new SubjectShard.Unsubscribe(sub));
        }
    }

    void dropInterest(SubjectShards shards) {
        for (Subscription sub : List.copyOf(remoteSubs.values())) {
            removeInterest(sub.subject(), sub.queue(), shards);
        }
    }

    /**
     * Frame {@code seq} of {@code bytes} bytes was delivered here: acknowledged at once when 64 KiB or more wait for
     * an acknowledgement (a busy link: every frame or so), else on the manager's next tick ({@link #flushAck}), so a
     * quiet link (a request, a reply) does not send one more message across per message.
     */
    private void delivered(long seq, int bytes) {
        unackedSeq = seq;
        unackedBytes += bytes;
        if (unackedBytes >= ACK_BYTES) {
            flushAck();
        }
    }

    /** Acknowledges what was delivered and not acknowledged yet. */
    void flushAck() {
        synchronized (inLock) {
            if (unackedBytes > 0) {
                unackedBytes = 0;
                remote.tell(new RouteMessage.Ack(selfUid, unackedSeq));
            }
        }
    }

    void ping() {
        remote.tell(new RouteMessage.Ping(selfUid, System.nanoTime()));
    }

    void pong(long sentNanos) {
        rttNanos = System.nanoTime() - sentNanos;
        lastActivityMillis = System.currentTimeMillis();
    }

    ActorRef<RouteMessage> remote() {
        return remote;
    }

    // ---- for monitoring ----------------------------------------------------------------------------------

    @Override
    public long id() { return rid; }
    public Peer peer() { return peer; }
    public boolean didSolicit() { return didSolicit; }
    public boolean isConfigured() { return configured; }
    /** Whether this node's frames to the peer go over its own stream connection now (else Pekko remoting). */
    public synchronized boolean sendsOverStream() { return stream != null && stream.isOpen(); }
    public Instant start() { return start; }
    public Instant lastActivity() { return Instant.ofEpochMilli(lastActivityMillis); }
    public long rttNanos() { return rttNanos; }
    public long inMsgs() { return inMsgs; }
    public long inBytes() { return inBytes; }
    public synchronized long outMsgs() { return outMsgs; }
    public synchronized long outBytes() { return outBytes; }
    /** Bytes queued for the peer and not yet acknowledged by it. */
    public synchronized long pendingBytes() { return out.size() + inFlightBytes; }
    /** The peer's interest: subject, then queue group or {@code null}. */
    public List<Subscription> subscriptions() { return List.copyOf(remoteSubs.values()); }
}
