package io.meshery.broker.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code bin/bench --fsync-probe}: what this machine allows a synchronous JetStream publish at best. A publish that
 * waits for a PubAck from a server that syncs before it acks costs at least one loopback round trip plus one
 * {@code fdatasync} of a small append. The probe times both, without a server:
 *
 * <ul>
 *   <li>round trip: 200 B written over a loopback TCP connection (blocking, {@code TCP_NODELAY}) to a thread that
 *       echoes them, until they are back, as the harness's own publisher does;</li>
 *   <li>append + sync: 200 B appended to a file in the probe directory and {@code FileChannel.force(false)}
 *       ({@code fdatasync}), as a store that syncs before each ack does; and, for comparison, the same write
 *       at one fixed offset (no size change, so no metadata to journal).</li>
 * </ul>
 *
 * It prints the median, p90 and p99 of each (after 100 untimed samples) and the bound: median round trip + median
 * append sync, and its inverse in messages per second.
 */
final class FsyncProbe {

    private static final int RECORD = 200;
    private static final int WARMUP = 100;

    private FsyncProbe() {
    }

    static int run(PrintStream out, String... args) {
        int count = 2000;
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--fsync-probe" -> { }
                case "--probe-count" -> count = Integer.parseInt(args[++i].replace("_", ""));
                case "--probe-dir" -> dir = Path.of(args[++i]);
                default -> {
                    System.err.println("--fsync-probe takes only --probe-count N and --probe-dir DIR; got " + args[i]);
                    return 2;
                }
            }
        }
        try {
            FileStore store = Files.getFileStore(dir);
            out.printf("fsync probe: %d samples each, %d B records, in %s (%s on %s), %d CPUs%n", count, RECORD,
                    dir.toAbsolutePath(), store.type(), store.name(), Runtime.getRuntime().availableProcessors());
            long[] rtt = roundTrips(count);
            long[] append = syncs(dir, count, true);
            long[] overwrite = syncs(dir, count, false);
            line(out, "loopback round trip", rtt);
            line(out, "append 200 B + force(false)", append);
            line(out, "overwrite 200 B + force(false)", overwrite);
            double bound = median(rtt) + median(append);
            out.printf(Locale.ROOT, "bound for a synchronous publish (median round trip + median append sync): "
                    + "%.1f µs, at most %.0f msg/s%n", bound / 1e3, 1e9 / bound);
            return 0;
        } catch (IOException | InterruptedException e) {
            System.err.println("fsync probe failed: " + e);
            return 1;
        }
    }

    private static void line(PrintStream out, String what, long[] sorted) {
        out.printf(Locale.ROOT, "  %-32s median %8.1f µs   p90 %8.1f µs   p99 %8.1f µs%n", what,
                median(sorted) / 1e3, at(sorted, 0.90) / 1e3, at(sorted, 0.99) / 1e3);
    }

    private static double median(long[] sorted) {
        return at(sorted, 0.5);
    }

    private static double at(long[] sorted, double fraction) {
        int rank = (int) Math.ceil(fraction * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }

    /** Appends (or overwrites at offset 0) {@code count} records, forcing each; returns the sorted times. */
    private static long[] syncs(Path dir, int count, boolean append) throws IOException {
        Path file = Files.createTempFile(dir, "fsync-probe-", ".dat");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer record = ByteBuffer.allocateDirect(RECORD);
            long[] times = new long[count];
            long position = 0;
            for (int i = -WARMUP; i < count; i++) {
                record.clear();
                long t0 = System.nanoTime();
                while (record.hasRemaining()) {
                    position += ch.write(record, append ? position : 0);
                }
                ch.force(false);
                long t = System.nanoTime() - t0;
                if (i >= 0) {
                    times[i] = t;
                }
            }
            Arrays.sort(times);
            return times;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** {@code count} round trips of a record over loopback to an echoing thread; returns the sorted times. */
    private static long[] roundTrips(int count) throws IOException, InterruptedException {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread echo = new Thread(() -> {
                try (SocketChannel peer = listener.accept()) {
                    peer.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    ByteBuffer buf = ByteBuffer.allocateDirect(RECORD);
                    while (true) {
                        buf.clear();
                        while (buf.hasRemaining()) {
                            if (peer.read(buf) < 0) {
                                return;
                            }
                        }
                        buf.flip();
                        while (buf.hasRemaining()) {
                            peer.write(buf);
                        }
                    }
                } catch (IOException ignored) {
                    // the probe closed its end
                }
            }, "fsync-probe-echo");
            echo.setDaemon(true);
            echo.start();
            long[] times = new long[count];
            try (SocketChannel client = SocketChannel.open(listener.getLocalAddress())) {
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ByteBuffer buf = ByteBuffer.allocateDirect(RECORD);
                for (int i = -WARMUP; i < count; i++) {
                    long t0 = System.nanoTime();
                    buf.clear();
                    while (buf.hasRemaining()) {
                        client.write(buf);
                    }
                    buf.clear();
                    while (buf.hasRemaining()) {
                        if (client.read(buf) < 0) {
                            throw new IOException("echo thread closed the connection");
                        }
                    }
                    long t = System.nanoTime() - t0;
                    if (i >= 0) {
                        times[i] = t;
                    }
                }
            }
            echo.join(1000);
            Arrays.sort(times);
            return times;
        }
    }
}
