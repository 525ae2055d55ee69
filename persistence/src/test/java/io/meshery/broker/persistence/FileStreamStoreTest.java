package io.meshery.broker.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract against the file store (small segments, so that the tests roll), plus what is file-only. */
class FileStreamStoreTest extends StreamStoreContract {

    @TempDir
    Path tmp;
    private int count;
    private final Map<StreamStore, FileStoreConfig> configs = new HashMap<>();
    private final Map<StreamStore, StreamLimits> limitsOf = new HashMap<>();

    private FileStoreConfig config() {
        return FileStoreConfig.of(tmp.resolve("stream-" + count++)).withSegmentBytes(1024);
    }

    @Override
    protected StreamStore create(StreamLimits limits) {
        return createWithListener(limits, null);
    }

    @Override
    protected StreamStore createWithListener(StreamLimits limits, RemovalListener listener) {
        FileStoreConfig c = config();
        FileStreamStore s = FileStreamStore.open(c, limits, listener);
        configs.put(s, c);
        limitsOf.put(s, limits);
        return s;
    }

    @Override
    protected StreamStore reopen(StreamStore store) {
        FileStoreConfig c = configs.remove(store);
        StreamLimits l = store.limits();
        store.close();
        FileStreamStore again = FileStreamStore.open(c, l);
        configs.put(again, c);
        assertEquals(0, again.recoveryReport().bytesTruncated(), "a clean close leaves nothing to truncate");
        return again;
    }

    private static long files(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).count();
        }
    }

    @Test
    void segmentsRollAndSealedOnesAreIndexed() throws IOException {
        FileStoreConfig c = config();
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            for (int i = 0; i < 100; i++) {
                s.append("a." + (i % 4), null, new byte[40], i);
            }
            assertTrue(s.segmentCount() >= 7, "segments: " + s.segmentCount());
            assertEquals(s.segmentCount(), files(c.dir(), ".seg"));
            assertEquals(s.segmentCount() - 1, files(c.dir(), ".idx"));
        }
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            RecoveryReport r = s.recoveryReport();
            assertEquals(1, r.scanned(), "only the active segment is read record by record");
            assertEquals(0, r.indexesRebuilt());
            assertEquals(100, s.state().msgs());
            assertEquals(101, s.append("a.0", null, new byte[1], 101));
        }
    }

    @Test
    void purgeAndLimitsDeleteWholeHeadSegments() throws IOException {
        FileStoreConfig c = config();
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED.withMaxMsgs(30))) {
            for (int i = 0; i < 300; i++) {
                s.append("a", null, new byte[40], i);
            }
            assertTrue(s.segmentCount() <= 5, "segments: " + s.segmentCount());
            s.purge(PurgeRequest.all());
            assertEquals(1, s.segmentCount());
            assertEquals(1, files(c.dir(), ".seg"));
        }
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            assertEquals(new StreamState(0, 0, 301, 0, 300, 299, 0, 0), s.state());
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefused() {
        FileStoreConfig c = config();
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            StoreException e = assertThrows(StoreException.class, () -> FileStreamStore.open(c, StreamLimits.UNLIMITED));
            assertTrue(e.getMessage().contains("open already"), e.getMessage());
            assertNotNull(s);
        }
    }

    @Test
    void readHandlesStayWithinTheCacheCapacity() {
        ReadChannelCache cache = new ReadChannelCache(2);
        try (FileStreamStore s = FileStreamStore.open(config().withReadChannels(cache), StreamLimits.UNLIMITED)) {
            for (int i = 0; i < 200; i++) {
                s.append("a", null, new byte[40], i);
            }
            for (int round = 0; round < 2; round++) {
                for (long seq = 1; seq <= 200; seq += 7) {
                    assertEquals(seq, s.get(seq).seq());
                    assertTrue(cache.size() <= 2, "open read handles: " + cache.size());
                }
            }
        }
    }

    @Test
    void intervalSyncStoresAndReopens() {
        FileStoreConfig c = config().withSync(SyncPolicy.interval(Duration.ofMillis(5)));
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            fill(s, 50, "a", "b");
        }
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            assertEquals(50, s.state().msgs());
        }
    }

    @Test
    void readersRunWhileTheWriterAppendsAndRolls() throws Exception {
        try (FileStreamStore s = FileStreamStore.open(config(), StreamLimits.UNLIMITED.withMaxMsgs(100))) {
            CountDownLatch done = new CountDownLatch(1);
            AtomicReference<Throwable> error = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    while (done.getCount() > 0) {
                        StreamState st = s.state();
                        for (long seq = st.firstSeq(); seq <= st.lastSeq(); seq += 3) {
                            StoredMessage m = s.get(seq);
                            if (m != null && (m.seq() != seq || m.payload().length != (int) (seq % 50))) {
                                throw new AssertionError("bad read of " + seq + ": " + m);
                            }
                        }
                        s.lastBySubject(x -> x.equals("b"));
                    }
                } catch (Throwable t) {
                    error.set(t);
                }
            });
            reader.start();
            for (long seq = 1; seq <= 800; seq++) {
                s.append(seq % 2 == 0 ? "a" : "b", null, new byte[(int) (seq % 50)], seq);
            }
            done.countDown();
            reader.join(10_000);
            if (error.get() != null) {
                throw new AssertionError(error.get());
            }
            assertFalse(reader.isAlive());
        }
    }

    @Test
    void concurrentAppendersShareForcesAndLoseNothing() throws Exception {
        FileStoreConfig c = config();
        int threads = 4;
        int each = 50;
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            CountDownLatch start = new CountDownLatch(1);
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                String subject = "t" + t;
                ts[t] = new Thread(() -> {
                    try {
                        start.await(5, TimeUnit.SECONDS);
                        for (int i = 0; i < each; i++) {
                            s.append(subject, null, b(subject + "-" + i), i);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                ts[t].start();
            }
            start.countDown();
            for (Thread t : ts) {
                t.join(10_000);
                assertFalse(t.isAlive());
            }
        }
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            assertEquals(threads * each, s.state().msgs());
            assertEquals(threads, s.state().numSubjects());
            assertEquals(b("t2-" + (each - 1)).length, s.lastBySubject(x -> x.equals("t2")).payload().length);
        }
    }

    @Test
    void batchesRollAcrossSegments() {
        FileStoreConfig c = config();
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            List<StreamStore.Message> batch = Stream.iterate(0, i -> i + 1).limit(60)
                    .map(i -> new StreamStore.Message("s." + i % 3, null, new byte[50], i)).toList();
            s.appendBatch(batch);
            assertTrue(s.segmentCount() > 3);
        }
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            assertEquals(60, s.state().msgs());
            assertEquals(60, s.get(60).seq());
        }
    }
}
