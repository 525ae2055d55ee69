package io.meshery.broker.persistence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The dense index of a sealed segment ({@code <base>.idx}), a summary from which the segment's state is
 * rebuilt without reading it (big-endian):
 * <pre>
 * int  magic 'MBIX'    int  version (1)
 * long base            long segment size it covers
 * int  records n       int  subjects m
 * m x (ushort length, UTF-8 subject)
 * n x (long seq field, long timestamp, int position, int subject id or -1)   24 bytes each
 * int  CRC-32C of everything before it
 * </pre>
 * Written once when the segment is sealed, to {@code .idx.tmp}, forced, and renamed (the rename is the
 * commit point). Read back only if every check passes (magic, version, CRC, base, the covered size equal to
 * the segment's size, increasing positions, contiguous message sequences); otherwise the caller rebuilds it
 * from the segment. Stateless; thread-safe.
 */
final class SegmentIndexFile {

    private static final int MAGIC = 0x4D424958;
    private static final int VERSION = 1;
    private static final int ENTRY_BYTES = 24;

    private SegmentIndexFile() {
    }

    static void write(Path idx, long base, SegmentContents c, ChannelOpener opener) throws IOException {
        int subjectsBytes = 0;
        List<byte[]> encoded = new ArrayList<>();
        for (String s : c.subjectTable()) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            encoded.add(b);
            subjectsBytes += 2 + b.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(32 + subjectsBytes + c.count() * ENTRY_BYTES + 4);
        buf.putInt(MAGIC).putInt(VERSION).putLong(base).putLong(c.end()).putInt(c.count()).putInt(encoded.size());
        for (byte[] b : encoded) {
            buf.putShort((short) b.length).put(b);
        }
        for (int i = 0; i < c.count(); i++) {
            buf.putLong(c.seqField(i)).putLong(c.time(i)).putInt(c.position(i)).putInt(c.subjectIdAt(i));
        }
        buf.putInt(Records.crc(buf, 0, buf.position()));
        buf.flip();
        Path tmp = idx.resolveSibling(idx.getFileName() + ".tmp");
        try (FileChannel ch = opener.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE))) {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(false);
        }
        Files.move(tmp, idx, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The contents the index describes, or null if it is missing or does not match the segment. */
    static SegmentContents read(Path idx, long base, long segmentSize) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(idx);
        } catch (NoSuchFileException e) {
            return null;
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        try {
            if (bytes.length < 36 || Records.crc(buf, 0, bytes.length - 4) != buf.getInt(bytes.length - 4)
                    || buf.getInt() != MAGIC || buf.getInt() != VERSION || buf.getLong() != base) {
                return null;
            }
            long covered = buf.getLong();
            int n = buf.getInt();
            int m = buf.getInt();
            if (covered != segmentSize || n < 0 || m < 0) {
                return null;
            }
            List<String> table = new ArrayList<>(m);
            for (int i = 0; i < m; i++) {
                byte[] s = new byte[Short.toUnsignedInt(buf.getShort())];
                buf.get(s);
                table.add(new String(s, StandardCharsets.UTF_8));
            }
            if (buf.remaining() != (long) n * ENTRY_BYTES + 4) {
                return null;
            }
            SegmentContents c = new SegmentContents();
            long nextSeq = base;
            int lastPos = -1;
            for (int i = 0; i < n; i++) {
                long f = buf.getLong();
                long ts = buf.getLong();
                int pos = buf.getInt();
                int id = buf.getInt();
                boolean message = (f & (Records.TOMBSTONE_BIT | Records.FLOOR_BIT)) == 0;
                if (pos <= lastPos || pos >= covered || id < -1 || id >= m || message != (id >= 0)
                        || (message && f != nextSeq++)) {
                    return null;
                }
                lastPos = pos;
                c.addIndexed(f, ts, pos, id, table);
            }
            if (n > 0 && covered - lastPos < Records.HEADER_BYTES || n == 0 && covered != 0) {
                return null;
            }
            c.setEnd(covered);
            return c;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
