package io.meshery.broker.server;

import io.meshery.broker.protocol.PubArgs;
import io.meshery.broker.routing.FlowWaiter;
import io.meshery.broker.routing.Subscription;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.apache.pekko.util.ByteString;

/**
 * The bytes waiting to be written to one client. Publishers on any thread append to it under its monitor;
 * the connection that owns it hands them to the socket, at most {@link #MAX_WRITE} at a time, whenever the
 * socket can take more, and reports each completed write ({@link #writeCompleted}).
 *
 * <p>Bytes are appended to chunks of growing size (up to {@link #MAX_CHUNK}); a full chunk is sealed and a new
 * one started, so a backlog never copies what it already holds. Every chunk's array is counted in the node's
 * {@link BufferBudget} from allocation until the write that carried it completed.
 *
 * <p>Flow control (docs/architecture.md, "Flow control"): above its stall threshold, or above a small backlog
 * while the node is over its budget, this buffer is <em>backlogged</em>, and publishers that fed it wait
 * ({@link #holdsPublisher}) until a completed write brings it back under. A buffer that has made no progress
 * for {@link #STUCK_AFTER_NANOS} holds nobody; it is refused more messages once it passes {@code max_pending},
 * or at once while the node is over its budget, and its owner closes it as a slow consumer.
 */
final class Outbound {

    enum Result { QUEUED, CLOSED, SLOW_CONSUMER }

    /** A buffer that has held bytes this long without a write completing is stuck. */
    static final long STUCK_AFTER_NANOS = 500_000_000L;
    /** The most one write hands to the socket; also how finely progress is seen. */
    static final int MAX_WRITE = 1 << 20;
    private static final int INITIAL_CAPACITY = 4096;
    /** Bounds of the next chunk's size, which follows what the last write carried. */
    private static final int MIN_CAPACITY = 512;
    private static final int MAX_CHUNK = 1 << 20;
    private static final byte[] MSG = {'M', 'S', 'G', ' '};
    private static final byte[] HMSG = {'H', 'M', 'S', 'G', ' '};

    private record Chunk(byte[] bytes, int length) {
    }

    private final long maxPending;
    private final BufferBudget budget;
    private final long stallThreshold;

    /** The chunk being filled. */
    private byte[] buf;
    private int len;
    private int lastCapacity = INITIAL_CAPACITY;
    /** Full chunks, oldest first, and the bytes they hold. */
    private final ArrayDeque<Chunk> sealed = new ArrayDeque<>();
    private long sealedBytes;
    /** Handed to the socket, not known to be written yet: bytes, and the capacity of their arrays. */
    private long inFlightBytes;
    private long inFlightCapacity;
    /** When a write last completed, or when this buffer last went from empty to holding bytes. */
    private long lastProgressNanos = System.nanoTime();
    private final Set<FlowWaiter> waiters = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;
    private long outMsgs;
    private long outBytes;

    Outbound(long maxPending, BufferBudget budget) {
        this.maxPending = maxPending;
        this.budget = budget;
        this.stallThreshold = budget.stallThreshold(maxPending);
    }

    /**
     * Queues {@code MSG}/{@code HMSG} for {@code sub}. A client without header support gets the payload
     * without its header block, as a plain {@code MSG}.
     */
    synchronized Result appendMessage(Subscription sub, PubArgs m, byte[] payload, int off, int size,
                                      boolean clientHeaders) {
        if (closed) {
            return Result.CLOSED;
        }
        boolean asHmsg = m.hasHeaders() && clientHeaders;
        int bodyOff = off;
        int bodyLen = size;
        if (m.hasHeaders() && !clientHeaders) {
            bodyOff += m.headerSize();
            bodyLen -= m.headerSize();
        }
        byte[] sid = sub.sidBytes();
        int need = 5 + m.subjectLength() + 1 + sid.length + 1 + m.replyLength() + 1 + 22 + 2 + bodyLen + 2;
        long held = held();
        if (held + need > maxPending || budget.isOver() && held > 0 && isStuck(System.nanoTime())) {
            return Result.SLOW_CONSUMER;
        }
        if (held == 0) {
            lastProgressNanos = System.nanoTime();
        }
        ensure(need);
        byte[] b = buf;
        int p = len;
        if (asHmsg) {
            System.arraycopy(HMSG, 0, b, p, 5);
            p += 5;
        } else {
            System.arraycopy(MSG, 0, b, p, 4);
            p += 4;
        }
        System.arraycopy(m.line(), m.subjectOffset(), b, p, m.subjectLength());
        p += m.subjectLength();
        b[p++] = ' ';
        System.arraycopy(sid, 0, b, p, sid.length);
        p += sid.length;
        b[p++] = ' ';
        if (m.replyLength() > 0) {
            System.arraycopy(m.line(), m.replyOffset(), b, p, m.replyLength());
            p += m.replyLength();
            b[p++] = ' ';
        }
        if (asHmsg) {
            p = writeInt(b, p, m.headerSize());
            b[p++] = ' ';
        }
        p = writeInt(b, p, bodyLen);
        b[p++] = '\r';
        b[p++] = '\n';
        System.arraycopy(payload, bodyOff, b, p, bodyLen);
        p += bodyLen;
        b[p++] = '\r';
        b[p++] = '\n';
        len = p;
        outMsgs++;
        outBytes += bodyLen;
        return Result.QUEUED;
    }

    /** Queues protocol bytes written by the server itself (INFO, PONG, +OK, -ERR). */
    synchronized void appendProtocol(byte[] bytes) {
        if (closed) {
            return;
        }
        if (held() == 0) {
            lastProgressNanos = System.nanoTime();
        }
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
    }

    /**
     * What to write next, or {@code null} when nothing is queued: the oldest chunks up to {@link #MAX_WRITE}
     * (more only when one chunk is larger), as one piece.
     */
    synchronized ByteString drain() {
        ByteString out = null;
        long bytes = 0;
        long capacity = 0;
        while (!sealed.isEmpty() && bytes < MAX_WRITE) {
            Chunk c = sealed.poll();
            ByteString piece = ByteString.fromArrayUnsafe(c.bytes(), 0, c.length());
            out = out == null ? piece : out.concat(piece);
            bytes += c.length();
            capacity += c.bytes().length;
        }
        sealedBytes -= bytes;
        if (bytes < MAX_WRITE && len > 0) {
            ByteString piece = ByteString.fromArrayUnsafe(buf, 0, len);
            out = out == null ? piece : out.concat(piece);
            bytes += len;
            capacity += buf.length;
            // The array goes to the socket as it is. The next one is as large while this one was at least half
            // full; otherwise it shrinks to what this write carried and half again, so that a receiver that once
            // took a burst does not allocate (and zero) up to 1 MiB for every small message after it.
            int next = len >= buf.length / 2 ? buf.length : Math.max(MIN_CAPACITY, (len + (len >> 1) + 1023) & ~1023);
            lastCapacity = Math.min(next, MAX_CHUNK);
            buf = null;
            len = 0;
        }
        inFlightBytes += bytes;
        inFlightCapacity += capacity;
        return out;
    }

    /**
     * The socket took everything handed to it so far: its arrays leave the budget, and this counts as progress.
     * Returns the publishers to wake (see {@link #wake}) when this brought the buffer out of its backlog.
     */
    List<FlowWaiter> writeCompleted(long nowNanos) {
        synchronized (this) {
            if (inFlightBytes > 0 || inFlightCapacity > 0) {
                lastProgressNanos = nowNanos;
                budget.released(inFlightCapacity);
                inFlightBytes = 0;
                inFlightCapacity = 0;
            }
            if (waiters.isEmpty() || isBacklogged()) {
                return List.of();
            }
            return takeWaiters();
        }
    }

    /**
     * Whether {@code waiter} should wait for this buffer: true while it is backlogged and not stuck, and then
     * {@code waiter} is woken once when it no longer is (or closes).
     */
    synchronized boolean holdsPublisher(FlowWaiter waiter, long nowNanos) {
        if (closed || !isBacklogged() || isStuck(nowNanos)) {
            return false;
        }
        waiters.add(waiter);
        return true;
    }

    /**
     * Refuses everything from now on and wakes whoever waits; what is queued stays to be drained (a connection
     * closing writes it out before it closes).
     */
    void closeForWrites() {
        List<FlowWaiter> woken;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            woken = takeWaiters();
        }
        wake(woken);
    }

    /** Gives back to the budget every array still counted; after the connection has stopped. */
    synchronized void release() {
        long capacity = inFlightCapacity + (buf == null ? 0 : buf.length);
        for (Chunk c : sealed) {
            capacity += c.bytes().length;
        }
        budget.released(capacity);
        sealed.clear();
        sealedBytes = 0;
        buf = null;
        len = 0;
        inFlightBytes = 0;
        inFlightCapacity = 0;
        closed = true;
    }

    static void wake(List<FlowWaiter> woken) {
        for (int i = 0; i < woken.size(); i++) {
            woken.get(i).receiverDrained();
        }
    }

    /** Bytes not known to be written: queued and handed to the socket. */
    synchronized long pending() {
        return held();
    }

    synchronized long outMsgs() {
        return outMsgs;
    }

    synchronized long outBytes() {
        return outBytes;
    }

    long stallThreshold() {
        return stallThreshold;
    }

    private long held() {
        return sealedBytes + len + inFlightBytes;
    }

    private boolean isBacklogged() {
        long held = held();
        return held > stallThreshold || held > BufferBudget.SMALL_BACKLOG && budget.isOver();
    }

    private boolean isStuck(long nowNanos) {
        return held() > 0 && nowNanos - lastProgressNanos > STUCK_AFTER_NANOS;
    }

    private List<FlowWaiter> takeWaiters() {
        if (waiters.isEmpty()) {
            return List.of();
        }
        List<FlowWaiter> woken = new ArrayList<>(waiters);
        waiters.clear();
        return woken;
    }

    private void ensure(int extra) {
        if (buf == null) {
            allocate(Math.max(lastCapacity, extra));
        } else if (len + extra > buf.length) {
            sealed.add(new Chunk(buf, len));
            sealedBytes += len;
            allocate(Math.max(extra, Math.min(MAX_CHUNK, buf.length * 2)));
        }
    }

    private void allocate(int capacity) {
        buf = new byte[capacity];
        len = 0;
        budget.allocated(capacity);
    }

    /** Writes a non-negative decimal. */
    static int writeInt(byte[] b, int p, int v) {
        if (v < 10) {
            b[p] = (byte) ('0' + v);
            return p + 1;
        }
        int digits = 0;
        for (int x = v; x > 0; x /= 10) {
            digits++;
        }
        int end = p + digits;
        for (int i = end - 1; i >= p; i--) {
            b[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return end;
    }
}
