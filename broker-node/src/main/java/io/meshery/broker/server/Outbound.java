package io.meshery.broker.server;

import io.meshery.broker.protocol.ProtocolParser.PubArgs;
import io.meshery.broker.routing.Subscription;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.util.ByteString;

/**
 * The bytes waiting to be written to one client. Publishers on any thread append to it under its monitor;
 * the connection that owns it takes everything out in one piece whenever the socket can take more.
 *
 * <p>Nothing here blocks: when a message would push the pending bytes past {@code maxPending} it is
 * refused, and the owner closes the connection as a slow consumer.
 */
final class Outbound {

    enum Result { QUEUED, CLOSED, SLOW_CONSUMER }

    private static final int INITIAL_CAPACITY = 4096;
    /** Bounds of the next buffer's size, which follows what the last write carried. */
    private static final int MIN_CAPACITY = 512;
    private static final int MAX_CAPACITY = 1 << 20;
    private static final byte[] MSG = {'M', 'S', 'G', ' '};
    private static final byte[] HMSG = {'H', 'M', 'S', 'G', ' '};

    private final long maxPending;
    /** Set by whoever asked the owner to flush, cleared by the owner before it takes the bytes. */
    final AtomicBoolean flushRequested = new AtomicBoolean();

    private byte[] buf;
    private int len;
    private int lastCapacity = INITIAL_CAPACITY;
    private boolean closed;
    private long outMsgs;
    private long outBytes;

    Outbound(long maxPending) {
        this.maxPending = maxPending;
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
        if (len + need > maxPending) {
            return Result.SLOW_CONSUMER;
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
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
    }

    /** Everything queued, as one piece, or {@code null} when nothing is. */
    synchronized ByteString drain() {
        if (len == 0) {
            return null;
        }
        ByteString out = ByteString.fromArrayUnsafe(buf, 0, len);
        // The array goes to the socket as it is. The next one is as large while this one was at least half
        // full; otherwise it shrinks to what this write carried and half again, so that a receiver that once
        // took a burst does not allocate (and zero) up to 1 MiB for every small message after it.
        int capacity = buf.length;
        int next = len >= capacity / 2 ? capacity : Math.max(MIN_CAPACITY, (len + (len >> 1) + 1023) & ~1023);
        lastCapacity = Math.min(next, MAX_CAPACITY);
        buf = null;
        len = 0;
        return out;
    }

    /** Refuses everything from now on and hands back what is still queued (or {@code null}). */
    synchronized ByteString close() {
        ByteString rest = drain();
        closed = true;
        return rest;
    }

    synchronized int pending() {
        return len;
    }

    synchronized long outMsgs() {
        return outMsgs;
    }

    synchronized long outBytes() {
        return outBytes;
    }

    private void ensure(int extra) {
        if (buf == null) {
            buf = new byte[Math.max(lastCapacity, extra)];
        } else if (len + extra > buf.length) {
            byte[] bigger = new byte[Math.max(buf.length * 2, len + extra)];
            System.arraycopy(buf, 0, bigger, 0, len);
            buf = bigger;
        }
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
