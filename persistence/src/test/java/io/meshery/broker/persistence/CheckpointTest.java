package io.meshery.broker.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint kept by hard links brings a store back to the moment it was taken, whatever happened after:
 * more messages, deletes, a purge that deleted whole segments, a reopen; the restored store goes on with the
 * sequence after the checkpoint's.
 */
class CheckpointTest {

    @TempDir
    Path tmp;

    private static byte[] body(int i) {
        return ("message " + i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRestoredStoreIsTheStoreAtItsCheckpoint() throws IOException {
        FileStoreConfig c = FileStoreConfig.of(tmp.resolve("live")).withSegmentBytes(1024);
        Path image = tmp.resolve("image");
        List<StoreImage.StoreFile> files;
        StreamState atCheckpoint;
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            for (int i = 1; i <= 120; i++) {
                s.append("a." + (i % 3), null, body(i), i);
            }
            s.delete(7);
            files = s.checkpoint();
            StoreImage.keep(c.dir(), files, image);
            atCheckpoint = s.state();
            assertTrue(files.size() > 4, "several segments: " + files);
            // after the checkpoint: more messages, a delete, and a purge that deletes whole segments
            for (int i = 121; i <= 160; i++) {
                s.append("a.x", null, body(i), i);
            }
            s.delete(130);
            s.purge(PurgeRequest.upTo(150));
        }
        try (Stream<Path> segs = Files.list(c.dir())) {
            assertTrue(segs.noneMatch(p -> p.getFileName().toString().equals(files.get(0).name())),
                "the purge deleted the first segment of the checkpoint");
        }

        StoreImage.restore(c.dir(), image, files);
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            assertEquals(atCheckpoint, s.state());
            assertNull(s.get(7), "deleted before the checkpoint");
            for (long seq : new long[] {1, 8, 119, 120}) {
                assertArrayEquals(body((int) seq), s.get(seq).payload());
            }
            assertNull(s.get(121), "written after the checkpoint");
            assertEquals(121, s.append("a.y", null, body(121), 121), "sequences go on after the checkpoint's");
        }
    }

    @Test
    void aCheckpointWhoseFileWasCutRefusesToRestore() throws IOException {
        FileStoreConfig c = FileStoreConfig.of(tmp.resolve("live"));
        Path image = tmp.resolve("image");
        List<StoreImage.StoreFile> files;
        try (FileStreamStore s = FileStreamStore.open(c, StreamLimits.UNLIMITED)) {
            for (int i = 1; i <= 10; i++) {
                s.append("a", null, body(i), i);
            }
            files = s.checkpoint();
            StoreImage.keep(c.dir(), files, image);
        }
        Files.write(image.resolve(files.get(0).name()), new byte[3]);
        assertThrows(IOException.class, () -> StoreImage.restore(c.dir(), image, files));
    }
}
