package io.meshery.broker.persistence;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The victim of {@link KillMidWriteTest}: appends forever to the store in {@code args[0]} from
 * {@code args[1]} threads with {@link SyncPolicy#ALWAYS}, and prints {@code ACK <seq> <payload>} for each
 * append once it has returned (so every printed line is an acknowledged message).
 */
public final class StoreWriterMain {

    private StoreWriterMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        FileStoreConfig config = FileStoreConfig.of(Path.of(args[0])).withSegmentBytes(4096);
        int threads = Integer.parseInt(args[1]);
        FileStreamStore store = FileStreamStore.open(config, StreamLimits.UNLIMITED);
        System.out.println("OPEN " + store.state().lastSeq() + " " + store.recoveryReport().bytesTruncated());
        Thread[] writers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            String name = "w" + t + "-" + ProcessHandle.current().pid();
            writers[t] = new Thread(() -> {
                for (long i = 0; ; i++) {
                    String payload = name + "-" + i + "-" + "x".repeat((int) (i % 97));
                    long seq = store.append("kill." + name, null, payload.getBytes(StandardCharsets.UTF_8), System.nanoTime());
                    System.out.println("ACK " + seq + " " + payload);
                }
            });
            writers[t].start();
        }
        for (Thread w : writers) {
            w.join();
        }
    }
}
