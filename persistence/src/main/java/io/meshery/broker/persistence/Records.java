package io.meshery.broker.persistence;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The record format of a segment file (big-endian; offsets from the start of the record):
 * <pre>
 *  0  int    length    bytes after this field (26 + s + h + p)
 *  4  int    crc32c    CRC-32C of bytes 8 .. 4+length
 *  8  long   seq       message sequence; bit 63 set = tombstone of (seq &amp; mask); bit 62 set = floor
 * 16  long   timestamp epoch nanos (tombstone and floor: the time of the removal)
 * 24  ushort s         subject length in UTF-8 bytes (0 for tombstone and floor)
 * 26  s      subject
 * 26+s int   h         headers length (0 = no headers)
 * 30+s h     headers
 * 30+s+h p   payload   to the end of the record
 * </pre>
 * A floor record with value F says every sequence below F is removed. Stateless helpers; thread-safe.
 */
final class Records {

    /** Bytes of a record that are not subject, headers or payload. */
    static final int HEADER_BYTES = 30;
    /** The smallest value of the length field. */
    static final int MIN_LENGTH = HEADER_BYTES - 4;
    /** The largest record accepted when reading: bigger lengths are corruption. */
    static final int MAX_RECORD_BYTES = 128 << 20;
    static final long TOMBSTONE_BIT = 1L << 63;
    static final long FLOOR_BIT = 1L << 62;
    static final long SEQ_MASK = FLOOR_BIT - 1;

    private Records() {
    }

    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    static byte[] subjectBytes(String subject) {
        byte[] b = subject.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("subject longer than 65535 bytes");
        }
        return b;
    }

    /** Appends one record at {@code dst}'s position; {@code dst} must have room for {@code HEADER_BYTES + s + h + p}. */
    static void encode(ByteBuffer dst, long seqField, long ts, byte[] subject, byte[] headers, byte[] payload) {
        int h = headers == null ? 0 : headers.length;
        int start = dst.position();
        dst.putInt(MIN_LENGTH + subject.length + h + payload.length);
        dst.putInt(0);
        dst.putLong(seqField);
        dst.putLong(ts);
        dst.putShort((short) subject.length);
        dst.put(subject);
        dst.putInt(h);
        if (h > 0) {
            dst.put(headers);
        }
        dst.put(payload);
        dst.putInt(start + 4, crc(dst, start + 8, dst.position()));
    }

    static int crc(ByteBuffer buf, int from, int to) {
        CRC32C crc = new CRC32C();
        ByteBuffer view = buf.duplicate();
        view.limit(to).position(from);
        crc.update(view);
        return (int) crc.getValue();
    }

    /**
     * Checks the record at {@code at}, with {@code available} bytes of the buffer from there: framing, lengths
     * and CRC. Returns null if it is whole and sound, else the reason.
     */
    static String check(ByteBuffer buf, int at, int available) {
        if (available < 4) {
            return "short read: " + available + " bytes where a length is expected";
        }
        int length = buf.getInt(at);
        if (length < MIN_LENGTH || length > MAX_RECORD_BYTES) {
            return "bad length " + length;
        }
        if (available - 4 < length) {
            return "short read: record of " + (4 + length) + " bytes, " + available + " left";
        }
        int end = at + 4 + length;
        int s = Short.toUnsignedInt(buf.getShort(at + 24));
        if (26 + s + 4 > 4 + length) {
            return "bad subject length " + s;
        }
        int h = buf.getInt(at + 26 + s);
        if (h < 0 || 30 + s + h > 4 + length) {
            return "bad headers length " + h;
        }
        if (crc(buf, at + 8, end) != buf.getInt(at + 4)) {
            return "CRC mismatch";
        }
        return null;
    }

    static int length(ByteBuffer buf, int at) {
        return 4 + buf.getInt(at);
    }

    static long seqField(ByteBuffer buf, int at) {
        return buf.getLong(at + 8);
    }

    static long timestamp(ByteBuffer buf, int at) {
        return buf.getLong(at + 16);
    }

    static String subject(ByteBuffer buf, int at) {
        int s = Short.toUnsignedInt(buf.getShort(at + 24));
        byte[] b = new byte[s];
        buf.get(at + 26, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Decodes a record that passed {@link #check}. */
    static StoredMessage decode(ByteBuffer buf, int at) {
        int length = 4 + buf.getInt(at);
        int s = Short.toUnsignedInt(buf.getShort(at + 24));
        int h = buf.getInt(at + 26 + s);
        byte[] headers = null;
        if (h > 0) {
            headers = new byte[h];
            buf.get(at + 30 + s, headers);
        }
        byte[] payload = new byte[length - HEADER_BYTES - s - h];
        buf.get(at + 30 + s + h, payload);
        return new StoredMessage(seqField(buf, at) & SEQ_MASK, subject(buf, at), headers, payload, timestamp(buf, at));
    }
}
