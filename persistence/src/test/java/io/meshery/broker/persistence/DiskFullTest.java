package io.meshery.broker.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A disk that fills up in the middle of a write (a record, a seal, an index): the append fails with an
 * {@link StoreException.IoFailure}, nothing acknowledged is lost, no half record stays behind, and the store
 * goes on once there is room again, and after a reopen.
 */
class DiskFullTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(longs = {0, 100, 1337, 2048, 3000, 5003, 7777, 9100})
    void aFullDiskFailsTheAppendAndLosesNothingAcknowledged(long quota) {
        QuotaChannel.Disk disk = new QuotaChannel.Disk(quota);
        FileStoreConfig config = FileStoreConfig.of(tmp.resolve("q" + quota)).withSegmentBytes(1024).withOpener(disk);
        Map<Long, byte[]> acked = new LinkedHashMap<>();
        StreamLimits limits = StreamLimits.UNLIMITED.withMaxMsgsPerSubject(20);
        try (FileStreamStore s = FileStreamStore.open(config, limits)) {
            StoreException failure = null;
            for (int i = 0; i < 1000 && failure == null; i++) {
                byte[] payload = payload(i);
                try {
                    acked.put(s.append("s." + i % 3, i % 4 == 0 ? payload(i + 7) : null, payload, i), payload);
                    if (i % 9 == 0) {
                        s.delete(s.state().lastSeq() - 3);
                        acked.remove(s.state().lastSeq() - 3);
                    }
                } catch (StoreException.IoFailure e) {
                    failure = e;
                }
            }
            assertNotNull(failure, "the quota ran out");
            assertTrue(failure.getMessage().contains("No space left on device"), failure.getMessage());
            check(s, acked);
            assertThrows(StoreException.IoFailure.class, () -> s.append("s.0", null, payload(1), 1));
            check(s, acked);
            disk.free.set(Long.MAX_VALUE);
            long next = s.state().lastSeq() + 1;
            assertEquals(next, s.append("s.0", null, payload(5000), 5000));
            acked.put(next, payload(5000));
            check(s, acked);
        }
        try (FileStreamStore s = FileStreamStore.open(config.withOpener(ChannelOpener.DEFAULT), limits)) {
            assertEquals(0, s.recoveryReport().bytesTruncated());
            check(s, acked);
        }
    }

    /** Exactly the acknowledged messages that the per-subject limit and the deletes left. */
    private static void check(StreamStore s, Map<Long, byte[]> acked) {
        long live = 0;
        for (Map.Entry<Long, byte[]> e : acked.entrySet()) {
            StoredMessage m = s.get(e.getKey());
            if (m != null) {
                assertArrayEquals(e.getValue(), m.payload(), "seq " + e.getKey());
                live++;
            }
        }
        assertEquals(live, s.state().msgs());
        assertEquals(s.state().msgs(), StreamStoreContract.all(s).size());
    }

    private static byte[] payload(int i) {
        byte[] p = new byte[10 + i % 70];
        for (int j = 0; j < p.length; j++) {
            p[j] = (byte) (i + j);
        }
        return p;
    }
}
