package io.meshery.broker.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read-ahead block on a real file: records come from one read while they lie in it, and a block read before a
 * record was written (zeros where it now is, or half of it) never serves that record: it is read again.
 */
class ReadAheadTest {

    @TempDir
    Path tmp;

    private static ByteBuffer record(long seq, String payload) {
        byte[] p = payload.getBytes(StandardCharsets.UTF_8);
        byte[] subject = "s.a".getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(Records.HEADER_BYTES + subject.length + p.length);
        Records.encode(b, seq, 1000 + seq, subject, null, p);
        return b.flip();
    }

    @Test
    void aRecordWrittenAfterTheBlockWasReadIsReadAgainNotServedStale() throws IOException {
        Path file = tmp.resolve("1.seg");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ByteBuffer r1 = record(1, "first");
            ByteBuffer r2 = record(2, "second");
            int size1 = r1.remaining();
            int size2 = r2.remaining();
            ch.write(r1, 0);
            ch.write(ByteBuffer.allocate(size2), size1); // room for record 2, still zeros (a writer in progress)
            ReadAhead ahead = new ReadAhead();
            Object segment = new Object();
            StoredMessage m1 = ahead.fetch(1, segment, 0, size1, () -> ch);
            assertNotNull(m1);
            assertArrayEquals("first".getBytes(StandardCharsets.UTF_8), m1.payload());
            ch.write(r2, size1); // record 2 lands inside the block read before it
            StoredMessage m2 = ahead.fetch(2, segment, size1, size2, () -> ch);
            assertNotNull(m2, "read again, not refused");
            assertEquals(2, m2.seq());
            assertArrayEquals("second".getBytes(StandardCharsets.UTF_8), m2.payload());

            // half a record at the end of the file: not served; whole later: served
            ByteBuffer r3 = record(3, "third");
            int size3 = r3.remaining();
            ByteBuffer half = r3.duplicate();
            half.limit(size3 / 2);
            ch.write(half, size1 + size2);
            assertNull(ahead.fetch(3, segment, size1 + size2, size3, () -> ch), "half a record");
            ch.write(r3.position(size3 / 2), size1 + size2 + size3 / 2);
            assertArrayEquals("third".getBytes(StandardCharsets.UTF_8),
                ahead.fetch(3, segment, size1 + size2, size3, () -> ch).payload());
            // another segment object is another file
            assertNotNull(ahead.fetch(1, new Object(), 0, size1, () -> ch));
        }
    }
}
