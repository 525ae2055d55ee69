package io.meshery.broker.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Damaged files on purpose: a torn tail, flipped bytes, missing and garbage indexes. The rule: a segment is
 * cut at its first bad record (as nats-server), the cut is reported, and everything before it is intact.
 */
class FileStreamStoreCorruptionTest {

    /** Subject "a" + 20-byte payload: 51-byte records. */
    private static final int RECORD = Records.HEADER_BYTES + 1 + 20;

    @TempDir
    Path tmp;

    private FileStoreConfig config(String name, long segmentBytes) {
        return FileStoreConfig.of(tmp.resolve(name)).withSegmentBytes(segmentBytes);
    }

    private static byte[] payload(long seq) {
        byte[] p = new byte[20];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (seq * 31 + i);
        }
        return p;
    }

    private static void write(FileStoreConfig c, int n) {
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            for (int i = 1; i <= n; i++) {
                assertEquals(i, s.append("a", null, payload(i), i));
            }
        }
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static void flip(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x40);
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    private static void assertIntact(FileStreamStore s, long from, long to) {
        for (long seq = from; seq <= to; seq++) {
            assertEquals(new StoredMessage(seq, "a", null, payload(seq), seq), s.get(seq), "seq " + seq);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4, 20, 29, 30, 50})
    void aTornLastRecordIsTruncated(int cut) throws IOException {
        FileStoreConfig c = config("torn" + cut, FileStoreConfig.DEFAULT_SEGMENT_BYTES);
        write(c, 20);
        Path seg = files(c.dir(), ".seg").get(0);
        assertEquals(20L * RECORD, Files.size(seg));
        truncate(seg, 20L * RECORD - cut);
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            RecoveryReport r = s.recoveryReport();
            assertEquals(RECORD - cut, r.bytesTruncated());
            assertEquals(1, r.truncations().size());
            assertEquals(19L * RECORD, r.truncations().get(0).offset());
            assertTrue(r.truncations().get(0).reason().startsWith("short read"), r.truncations().get(0).reason());
            assertEquals(19, s.state().lastSeq());
            assertIntact(s, 1, 19);
            assertEquals(20, s.append("a", null, payload(20), 20));
        }
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            assertEquals(0, s.recoveryReport().bytesTruncated());
            assertIntact(s, 1, 20);
        }
    }

    @Test
    void aCutOnARecordBoundaryDropsNothingMore() throws IOException {
        FileStoreConfig c = config("boundary", FileStoreConfig.DEFAULT_SEGMENT_BYTES);
        write(c, 20);
        truncate(files(c.dir(), ".seg").get(0), 19L * RECORD);
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            assertEquals(0, s.recoveryReport().bytesTruncated());
            assertEquals(19, s.state().msgs());
        }
    }

    @Test
    void aFlippedByteInTheLastRecordTruncatesIt() throws IOException {
        FileStoreConfig c = config("flip-last", FileStoreConfig.DEFAULT_SEGMENT_BYTES);
        write(c, 20);
        flip(files(c.dir(), ".seg").get(0), 20L * RECORD - 5);
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            RecoveryReport r = s.recoveryReport();
            assertEquals(RECORD, r.bytesTruncated());
            assertEquals("CRC mismatch", r.truncations().get(0).reason());
            assertEquals(19, s.state().msgs());
            assertIntact(s, 1, 19);
        }
    }

    /** As nats-server: the segment is cut at the first bad record; the good records after it go too. */
    @ParameterizedTest
    @ValueSource(ints = {0, 2, 9, 30})
    void aFlippedByteInAMiddleRecordTruncatesFromThere(int offsetInRecord) throws IOException {
        FileStoreConfig c = config("flip-middle" + offsetInRecord, FileStoreConfig.DEFAULT_SEGMENT_BYTES);
        write(c, 20);
        flip(files(c.dir(), ".seg").get(0), 9L * RECORD + offsetInRecord);
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            RecoveryReport r = s.recoveryReport();
            assertEquals(9L * RECORD, r.truncations().get(0).offset());
            assertEquals(11L * RECORD, r.bytesTruncated());
            assertEquals(new StreamState(9, 9L * RECORD, 1, 1, 9, 9, 0, 1), s.state());
            assertIntact(s, 1, 9);
        }
    }

    @Test
    void aBadRecordInASealedSegmentWithoutIndexLeavesAGapOfLostSequences() throws IOException {
        FileStoreConfig c = config("sealed", 1024);
        write(c, 100);
        List<Path> segs = files(c.dir(), ".seg");
        assertTrue(segs.size() >= 5);
        Files.delete(files(c.dir(), ".idx").get(0));
        flip(segs.get(0), 4L * RECORD + 40);
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            RecoveryReport r = s.recoveryReport();
            assertEquals(1, r.truncations().size());
            assertEquals(16L * RECORD, r.bytesTruncated());
            assertEquals(16, r.lostSeqs());
            assertEquals(1, r.indexesRebuilt());
            StreamState st = s.state();
            assertEquals(84, st.msgs());
            assertEquals(1, st.firstSeq());
            assertEquals(100, st.lastSeq());
            assertEquals(16, st.numDeleted());
            assertIntact(s, 1, 4);
            assertNull(s.get(5));
            assertIntact(s, 21, 100);
            assertEquals(101, s.append("a", null, payload(101), 101));
        }
    }

    @Test
    void missingIndexesAreRebuilt() throws IOException {
        FileStoreConfig c = config("no-idx", 1024);
        write(c, 100);
        List<Path> indexes = files(c.dir(), ".idx");
        for (Path idx : indexes) {
            Files.delete(idx);
        }
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            assertEquals(indexes.size(), s.recoveryReport().indexesRebuilt());
            assertEquals(0, s.recoveryReport().bytesTruncated());
            assertIntact(s, 1, 100);
        }
        assertEquals(indexes, files(c.dir(), ".idx"));
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            assertEquals(1, s.recoveryReport().scanned());
            assertIntact(s, 1, 100);
        }
    }

    @Test
    void garbageOrStaleIndexesAreRebuilt() throws IOException {
        FileStoreConfig c = config("bad-idx", 1024);
        write(c, 100);
        List<Path> indexes = files(c.dir(), ".idx");
        List<Path> segs = files(c.dir(), ".seg");
        byte[] garbage = new byte[300];
        new Random(7).nextBytes(garbage);
        Files.write(indexes.get(0), garbage);
        truncate(indexes.get(1), Files.size(indexes.get(1)) / 2);
        flip(indexes.get(2), 40);
        Files.write(segs.get(3), new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            RecoveryReport r = s.recoveryReport();
            assertEquals(4, r.indexesRebuilt());
            assertEquals(1, r.bytesTruncated(), "the stray byte after the last record of segment 4");
            assertEquals(0, r.lostSeqs());
            assertIntact(s, 1, 100);
        }
    }

    @Test
    void aFlippedByteInAnIndexedSealedSegmentFailsTheReadNotTheOpen() throws IOException {
        FileStoreConfig c = config("sealed-read", 1024);
        write(c, 100);
        flip(files(c.dir(), ".seg").get(0), 2L * RECORD + 40);
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            StoreException e = assertThrows(StoreException.Corrupt.class, () -> s.get(3));
            assertTrue(e.getMessage().contains("CRC mismatch"), e.getMessage());
            assertIntact(s, 4, 100);
        }
    }

    @Test
    void strayTemporaryAndOrphanFilesAreRemoved() throws IOException {
        FileStoreConfig c = config("stray", 1024);
        write(c, 50);
        Files.write(c.dir().resolve(Segment.name(1, ".idx.tmp")), new byte[] {1, 2});
        Files.write(c.dir().resolve(Segment.name(999_999, ".idx")), new byte[] {1, 2});
        List<Path> before = new ArrayList<>(files(c.dir(), ".idx"));
        before.remove(c.dir().resolve(Segment.name(999_999, ".idx")));
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            assertIntact(s, 1, 50);
        }
        assertEquals(before, files(c.dir(), ".idx"));
        assertEquals(List.of(), files(c.dir(), ".tmp"));
    }
}
