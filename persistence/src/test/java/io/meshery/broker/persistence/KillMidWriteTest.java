package io.meshery.broker.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real process appends with {@link SyncPolicy#ALWAYS} and is killed with SIGKILL after a number of
 * acknowledgements; the store must open without error and hold every acknowledged message, byte for byte.
 * Several kill points on the same directory, so each run also recovers what the previous kill left.
 */
class KillMidWriteTest {

    private static final String EOF = "\u0000eof";

    @TempDir
    Path tmp;

    @Test
    void everyAcknowledgedMessageSurvivesAKillDashNine() throws Exception {
        Path dir = tmp.resolve("stream");
        Map<Long, String> acked = new HashMap<>();
        int[] killAfter = {40, 250, 7, 120};
        for (int run = 0; run < killAfter.length; run++) {
            runAndKill(dir, killAfter[run], 1 + run % 2, acked);
            try (FileStreamStore s = FileStreamStore.open(FileStoreConfig.of(dir).withSegmentBytes(4096),
                    StreamLimits.UNLIMITED)) {
                long maxAcked = acked.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
                assertTrue(s.state().lastSeq() >= maxAcked, "last " + s.state().lastSeq() + " < acked " + maxAcked);
                for (Map.Entry<Long, String> e : acked.entrySet()) {
                    StoredMessage m = s.get(e.getKey());
                    assertNotNull(m, "run " + run + ": acknowledged seq " + e.getKey() + " is gone");
                    assertEquals(e.getValue(), new String(m.payload(), StandardCharsets.UTF_8));
                }
                assertEquals(s.state().lastSeq(), s.state().msgs());
            }
        }
    }

    private void runAndKill(Path dir, int acks, int threads, Map<Long, String> acked) throws Exception {
        Path stderr = tmp.resolve("writer.err");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), StoreWriterMain.class.getName(), dir.toString(),
                Integer.toString(threads))
                .redirectError(stderr.toFile())
                .start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the pipe breaks when the process dies
            } finally {
                lines.add(EOF);
            }
        });
        pump.setDaemon(true);
        pump.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int seen = 0;
        try {
            while (seen < acks) {
                String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null || line.equals(EOF)) {
                    fail("writer stopped after " + seen + " acks: " + Files.readString(stderr));
                }
                if (record(line, acked)) {
                    seen++;
                }
            }
        } finally {
            p.destroyForcibly();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the writer did not die");
        }
        pump.join(10_000);
        for (String line; (line = lines.poll()) != null && !line.equals(EOF); ) {
            record(line, acked);
        }
        assertEquals(137, p.exitValue(), "killed by SIGKILL");
    }

    /** Records an {@code ACK <seq> <payload>} line (a line cut by the kill was never complete: skipped). */
    private static boolean record(String line, Map<Long, String> acked) {
        if (!line.startsWith("ACK ")) {
            return false;
        }
        String[] parts = line.split(" ", 3);
        if (parts.length < 3) {
            return false;
        }
        String previous = acked.put(Long.parseLong(parts[1]), parts[2]);
        assertEquals(null, previous, "sequence " + parts[1] + " acknowledged twice");
        return true;
    }
}
