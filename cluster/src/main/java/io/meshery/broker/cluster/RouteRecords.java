package io.meshery.broker.cluster;

import io.meshery.broker.protocol.PubArgs;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The records one node streams to another, in order: a message, a subscription of interest (RS+) and its end
 * (RS-), and a reset of all interest (the start of a full snapshot). The stream is cut into frames anywhere; a
 * record may span frames. docs/cluster.md#the-route-stream gives the layout.
 *
 * <pre>
 * MSG    1 | u16 lineLen | subject [' ' reply] | u16 subjectLen | i32 headerSize (-1: none) | i32 totalSize
 *          | u16 matchLen | match subject (when it is not the subject) | u8 queueCount | (u16 len | queue)*
 *          | payload (totalSize bytes)
 * SUB    2 | u16 subjectLen | subject | u16 queueLen | queue
 * UNSUB  3 | u16 subjectLen | subject | u16 queueLen | queue
 * RESET  4
 * </pre>
 */
final class RouteRecords {

    static final byte MSG = 1;
    static final byte SUB = 2;
    static final byte UNSUB = 3;
    static final byte RESET = 4;

    private RouteRecords() {}

    /** A growable byte buffer that records are appended to; not thread-safe. */
    static final class Sink {
        byte[] buf;
        /** Where the bytes not sent yet start. */
        int start;
        int end;

        Sink(int initial) {
            buf = new byte[initial];
        }

        int size() {
            return end - start;
        }

        private void ensure(int more) {
            if (end + more <= buf.length) {
                return;
            }
            int live = end - start;
            if (start > 0 && live + more <= buf.length && start >= buf.length / 2) {
                System.arraycopy(buf, start, buf, 0, live);
            } else {
                byte[] n = new byte[Math.max(buf.length * 2, live + more)];
                System.arraycopy(buf, start, n, 0, live);
                buf = n;
            }
            start = 0;
            end = live;
        }

        /** The next {@code max} bytes at most, removed from the buffer. */
        byte[] take(int max) {
            int n = Math.min(max, end - start);
            byte[] out = Arrays.copyOfRange(buf, start, start + n);
            start += n;
            if (start == end) {
                start = 0;
                end = 0;
            }
            return out;
        }

        void clear() {
            start = 0;
            end = 0;
        }

        private void u8(int v) {
            buf[end++] = (byte) v;
        }

        private void u16(int v) {
            buf[end++] = (byte) (v >>> 8);
            buf[end++] = (byte) v;
        }

        private void i32(int v) {
            buf[end++] = (byte) (v >>> 24);
            buf[end++] = (byte) (v >>> 16);
            buf[end++] = (byte) (v >>> 8);
            buf[end++] = (byte) v;
        }

        private void bytes(byte[] b, int off, int len) {
            System.arraycopy(b, off, buf, end, len);
            end += len;
        }
    }

    /** The size of {@code msg}'s record. */
    static int messageSize(String match, PubArgs msg, int payloadLen, String[] queues, int queueCount) {
        int n = 1 + 2 + msg.subjectLength() + (msg.replyLength() > 0 ? 1 + msg.replyLength() : 0) + 2 + 4 + 4 + 2
            + (match == null ? 0 : match.length()) + 1 + payloadLen;
        for (int i = 0; i < queueCount; i++) {
            n += 2 + queues[i].length();
        }
        return n;
    }

    static void writeMessage(Sink s, String match, PubArgs msg, byte[] payload, int off, int len, String[] queues,
                             int queueCount) {
        s.ensure(messageSize(match, msg, len, queues, queueCount));
        int subjectLen = msg.subjectLength();
        int replyLen = msg.replyLength();
        s.u8(MSG);
        s.u16(subjectLen + (replyLen > 0 ? 1 + replyLen : 0));
        s.bytes(msg.line(), msg.subjectOffset(), subjectLen);
        if (replyLen > 0) {
            s.u8(' ');
            s.bytes(msg.line(), msg.replyOffset(), replyLen);
        }
        s.u16(subjectLen);
        s.i32(msg.headerSize());
        s.i32(len);
        if (match == null) {
            s.u16(0);
        } else {
            byte[] m = match.getBytes(StandardCharsets.ISO_8859_1);
            s.u16(m.length);
            s.bytes(m, 0, m.length);
        }
        s.u8(queueCount);
        for (int i = 0; i < queueCount; i++) {
            byte[] q = queues[i].getBytes(StandardCharsets.ISO_8859_1);
            s.u16(q.length);
            s.bytes(q, 0, q.length);
        }
        s.bytes(payload, off, len);
    }

    static void writeInterest(Sink s, boolean add, String subject, String queue) {
        byte[] subj = subject.getBytes(StandardCharsets.ISO_8859_1);
        byte[] q = queue == null ? new byte[0] : queue.getBytes(StandardCharsets.ISO_8859_1);
        s.ensure(5 + subj.length + q.length);
        s.u8(add ? SUB : UNSUB);
        s.u16(subj.length);
        s.bytes(subj, 0, subj.length);
        s.u16(q.length);
        s.bytes(q, 0, q.length);
    }

    static void writeReset(Sink s) {
        s.ensure(1);
        s.u8(RESET);
    }

    /** What a {@link Reader} finds in the stream. */
    interface Handler {
        /**
         * {@code msg} wraps the record; the payload is {@code buf[off, off+len)}; {@code match} is the subject to
         * match on when it is not the message's own, else null. Valid only during the call.
         */
        void message(String match, PubArgs msg, byte[] buf, int off, int len, String[] queues, int queueCount);

        void interest(boolean add, String subject, String queue);

        void reset();

        /**
         * Whether a message must wait (the interest before it is not in the index yet): the reader stops before it
         * and keeps the rest for {@link Reader#resume}.
         */
        boolean mustWait();
    }

    /** Reads whole records out of the stream's frames; keeps a record cut by a frame's end for the next one. */
    static final class Reader {
        private final PubArgs args = new PubArgs();
        private String[] queues = new String[4];
        private byte[] rest = new byte[0];
        private int restLen;

        /** Hands every whole record of what came so far and {@code frame} to {@code handler}. */
        void read(byte[] frame, Handler handler) {
            byte[] data;
            int len;
            if (restLen == 0) {
                data = frame;
                len = frame.length;
            } else {
                if (restLen + frame.length > rest.length) {
                    rest = Arrays.copyOf(rest, Math.max(rest.length * 2, restLen + frame.length));
                }
                System.arraycopy(frame, 0, rest, restLen, frame.length);
                data = rest;
                len = restLen + frame.length;
            }
            int used = parse(data, len, handler);
            int left = len - used;
            if (left == 0) {
                restLen = 0;
                if (rest.length > (1 << 20)) {
                    rest = new byte[0];
                }
            } else if (data == rest) {
                System.arraycopy(rest, used, rest, 0, left);
                restLen = left;
            } else {
                if (rest.length < left) {
                    rest = new byte[Math.max(left, 64 * 1024)];
                }
                System.arraycopy(data, used, rest, 0, left);
                restLen = left;
            }
        }

        /** Reads on from where {@link Handler#mustWait} stopped it. */
        void resume(Handler handler) {
            if (restLen == 0) {
                return;
            }
            int used = parse(rest, restLen, handler);
            int left = restLen - used;
            System.arraycopy(rest, used, rest, 0, left);
            restLen = left;
        }

        void clear() {
            restLen = 0;
        }

        private int parse(byte[] b, int len, Handler handler) {
            int p = 0;
            while (p < len) {
                int type = b[p];
                if (type == RESET) {
                    handler.reset();
                    p++;
                } else if (type == SUB || type == UNSUB) {
                    if (p + 3 > len) {
                        break;
                    }
                    int subjLen = u16(b, p + 1);
                    if (p + 5 + subjLen > len) {
                        break;
                    }
                    int qLen = u16(b, p + 3 + subjLen);
                    int end = p + 5 + subjLen + qLen;
                    if (end > len) {
                        break;
                    }
                    String subject = new String(b, p + 3, subjLen, StandardCharsets.ISO_8859_1);
                    String queue = qLen == 0 ? null : new String(b, p + 5 + subjLen, qLen, StandardCharsets.ISO_8859_1);
                    handler.interest(type == SUB, subject, queue);
                    p = end;
                } else if (type == MSG) {
                    if (handler.mustWait()) {
                        break;
                    }
                    int end = message(b, p, len, handler);
                    if (end < 0) {
                        break;
                    }
                    p = end;
                } else {
                    throw new IllegalStateException("corrupt route stream: record type " + type);
                }
            }
            return p;
        }

        /** Reads the message record at {@code p}; returns where it ends, or -1 when it is not all there yet. */
        private int message(byte[] b, int p, int len, Handler handler) {
            if (p + 3 > len) {
                return -1;
            }
            int lineLen = u16(b, p + 1);
            int q = p + 3 + lineLen;
            if (q + 12 > len) {
                return -1;
            }
            int subjectLen = u16(b, q);
            int headerSize = i32(b, q + 2);
            int total = i32(b, q + 6);
            int matchLen = u16(b, q + 10);
            if (q + 13 + matchLen > len) {
                return -1;
            }
            int queueCount = b[q + 12 + matchLen] & 0xff;
            int queuesAt = q + 13 + matchLen;
            int r = queuesAt;
            for (int i = 0; i < queueCount; i++) {
                if (r + 2 > len) {
                    return -1;
                }
                r += 2 + u16(b, r);
            }
            if (r + total > len) {
                return -1;
            }
            if (queueCount > queues.length) {
                queues = new String[queueCount];
            }
            String match = matchLen == 0 ? null : new String(b, q + 12, matchLen, StandardCharsets.ISO_8859_1);
            r = queuesAt;
            for (int i = 0; i < queueCount; i++) {
                int qLen = u16(b, r);
                queues[i] = new String(b, r + 2, qLen, StandardCharsets.ISO_8859_1);
                r += 2 + qLen;
            }
            int lineOff = p + 3;
            int replyLen = lineLen > subjectLen ? lineLen - subjectLen - 1 : 0;
            args.wrap(b, lineOff, subjectLen, lineOff + subjectLen + 1, replyLen, headerSize, total);
            handler.message(match, args, b, r, total, queues, queueCount);
            return r + total;
        }

        private static int u16(byte[] b, int p) {
            return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
        }

        private static int i32(byte[] b, int p) {
            return ((b[p] & 0xff) << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
        }
    }
}
