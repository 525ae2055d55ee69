package io.meshery.broker.jetstream;

import io.meshery.broker.protocol.PubArgs;
import java.util.function.Supplier;

/**
 * A consumer's delivery line, {@code <subject> $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>},
 * written into one reused array and wrapped by one reused {@link PubArgs}: no string per message. The fan-out copies
 * what it delivers before {@link JetStream#deliver(String, PubArgs, byte[], byte[])} returns, so both are reused
 * for the next message. On the JetStream thread only.
 */
final class DeliveryLine {

    private final Supplier<String> ackPrefix;
    private final PubArgs args = new PubArgs();
    private byte[] prefix;
    private byte[] line = new byte[256];
    private int subjectLength;
    private int length;

    DeliveryLine(Supplier<String> ackPrefix) {
        this.ackPrefix = ackPrefix;
    }

    /** Writes the line; false for a subject that is not plain ASCII (the caller then makes it the slow way). */
    boolean write(String subject, long delivered, long sseq, long cseq, long ts, long pending) {
        if (prefix == null) {
            prefix = ascii(ackPrefix.get());
            if (prefix == null) {
                return false;
            }
        }
        int n = subject.length();
        int need = n + 1 + prefix.length + 5 * 20 + 4;
        if (need > line.length) {
            line = new byte[Math.max(need, line.length * 2)];
        }
        byte[] b = line;
        for (int i = 0; i < n; i++) {
            char c = subject.charAt(i);
            if (c >= 0x80) {
                return false;
            }
            b[i] = (byte) c;
        }
        int p = n;
        b[p++] = ' ';
        System.arraycopy(prefix, 0, b, p, prefix.length);
        p += prefix.length;
        p = number(b, p, delivered);
        b[p++] = '.';
        p = number(b, p, sseq);
        b[p++] = '.';
        p = number(b, p, cseq);
        b[p++] = '.';
        p = number(b, p, ts);
        b[p++] = '.';
        p = number(b, p, pending);
        subjectLength = n;
        length = p;
        return true;
    }

    /** The message's arguments for the line just written. */
    PubArgs args(byte[] headers, byte[] payload) {
        int hdr = headers == null ? 0 : headers.length;
        args.wrap(line, 0, subjectLength, subjectLength + 1, length - subjectLength - 1, hdr > 0 ? hdr : -1,
            hdr + payload.length);
        return args;
    }

    private static int number(byte[] b, int p, long v) {
        if (v < 0) {
            b[p++] = '-';
            v = -v;
        }
        if (v == 0) {
            b[p++] = '0';
            return p;
        }
        int start = p;
        while (v > 0) {
            b[p++] = (byte) ('0' + v % 10);
            v /= 10;
        }
        for (int i = start, j = p - 1; i < j; i++, j--) {
            byte t = b[i];
            b[i] = b[j];
            b[j] = t;
        }
        return p;
    }

    private static byte[] ascii(String s) {
        byte[] b = new byte[s.length()];
        for (int i = 0; i < b.length; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return null;
            }
            b[i] = (byte) c;
        }
        return b;
    }
}
