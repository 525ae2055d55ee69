package io.meshery.broker.persistence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Recovery of one segment, as one method ({@link #recover}): read the records from the start, validate each
 * (framing, lengths, CRC-32C, sequence order), and truncate the file at the first record that fails, as
 * nats-server and Kafka's {@code LogSegment.recover} do. Reads through a 1 MiB window. Stateless; thread-safe.
 */
final class SegmentScanner {

    /** What a scan found: the good records, and the truncation if one was needed. */
    record Result(SegmentContents contents, long nextSeq, RecoveryReport.Truncation truncation) {
    }

    private static final int WINDOW = 1 << 20;

    private SegmentScanner() {
    }

    /**
     * Validates every record of the segment in {@code ch} (opened for reading and writing), truncates a bad
     * tail and forces the truncation.
     */
    static Result recover(FileChannel ch, long base, String fileName) throws IOException {
        long fileSize = ch.size();
        SegmentContents contents = new SegmentContents();
        Window w = new Window(ch, fileSize);
        long pos = 0;
        long nextSeq = base;
        String bad = null;
        while (pos < fileSize) {
            if (pos > Integer.MAX_VALUE - Records.MAX_RECORD_BYTES) {
                bad = "segment larger than 1 GiB + one record";
                break;
            }
            int available = (int) Math.min(fileSize - pos, Records.MAX_RECORD_BYTES + 4L);
            int off = w.fill(pos, Math.min(4, available));
            if (available < 4) {
                bad = "short read: " + available + " bytes where a length is expected";
                break;
            }
            int length = w.buf.getInt(off);
            if (length < Records.MIN_LENGTH || length > Records.MAX_RECORD_BYTES || 4L + length > available) {
                bad = length < Records.MIN_LENGTH || length > Records.MAX_RECORD_BYTES ? "bad length " + length
                        : "short read: record of " + (4L + length) + " bytes, " + available + " left";
                break;
            }
            off = w.fill(pos, 4 + length);
            bad = Records.check(w.buf, off, 4 + length);
            if (bad != null) {
                break;
            }
            long f = Records.seqField(w.buf, off);
            long value = f & Records.SEQ_MASK;
            boolean tombstone = (f & Records.TOMBSTONE_BIT) != 0;
            boolean floor = (f & Records.FLOOR_BIT) != 0;
            String subject = null;
            if (tombstone && floor) {
                bad = "record flagged both tombstone and floor";
            } else if (tombstone && (value < 1 || value >= nextSeq)) {
                bad = "tombstone of " + value + " at or after the next sequence " + nextSeq;
            } else if (floor && value > nextSeq) {
                bad = "floor " + value + " after the next sequence " + nextSeq;
            } else if (!tombstone && !floor) {
                if (f != nextSeq) {
                    bad = "sequence " + f + " where " + nextSeq + " is expected";
                } else {
                    subject = Records.subject(w.buf, off);
                    nextSeq++;
                }
            }
            if (bad != null) {
                break;
            }
            contents.add(f, Records.timestamp(w.buf, off), (int) pos, 4 + length, subject);
            pos += 4 + length;
        }
        contents.setEnd(pos);
        RecoveryReport.Truncation truncation = null;
        if (pos < fileSize) {
            truncation = new RecoveryReport.Truncation(fileName, pos, fileSize - pos, bad);
            ch.truncate(pos);
            ch.force(true);
        }
        return new Result(contents, nextSeq, truncation);
    }

    /** A window of the file, refilled on demand. */
    private static final class Window {
        private final FileChannel ch;
        private final long fileSize;
        ByteBuffer buf = ByteBuffer.allocate(WINDOW);
        private long start = -1;
        private int length;

        Window(FileChannel ch, long fileSize) {
            this.ch = ch;
            this.fileSize = fileSize;
        }

        /** Makes bytes [pos, pos+n) available (n fits before the end of file); returns the offset of pos. */
        int fill(long pos, int n) throws IOException {
            if (start >= 0 && pos >= start && pos + n <= start + length) {
                return (int) (pos - start);
            }
            if (buf.capacity() < n) {
                buf = ByteBuffer.allocate(n);
            }
            int want = (int) Math.min(buf.capacity(), fileSize - pos);
            buf.clear().limit(want);
            while (buf.hasRemaining()) {
                if (ch.read(buf, pos + buf.position()) < 0) {
                    break;
                }
            }
            start = pos;
            length = buf.position();
            buf.clear();
            if (length < n) {
                throw new IOException("segment shrank while it was recovered");
            }
            return 0;
        }
    }
}
