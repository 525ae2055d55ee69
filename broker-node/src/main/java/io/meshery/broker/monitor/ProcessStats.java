package io.meshery.broker.monitor;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's memory and CPU use for {@code /varz}, measured as nats-server measures its own: resident
 * memory in bytes, and CPU as a percentage of one core (so up to 100 × cores) over the last second or so.
 * Thread-safe.
 */
final class ProcessStats {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final long SAMPLE_NANOS = 1_000_000_000L;

    private final com.sun.management.OperatingSystemMXBean os;
    private long lastWallNanos;
    private long lastCpuNanos;
    private double lastPercent;

    ProcessStats() {
        OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
        this.os = bean instanceof com.sun.management.OperatingSystemMXBean sun ? sun : null;
        this.lastWallNanos = System.nanoTime();
        this.lastCpuNanos = cpuNanos();
    }

    /** Resident set size in bytes; the JVM's committed heap where {@code /proc} is not there. */
    long residentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unexpected format: fall through to what the JVM knows
        }
        return Runtime.getRuntime().totalMemory();
    }

    /**
     * CPU used since the previous sample, in percent of one core, rounded to a tenth. Samples at most once a
     * second, so that two quick requests do not divide by almost nothing.
     */
    synchronized double cpuPercent() {
        long now = System.nanoTime();
        long elapsed = now - lastWallNanos;
        if (elapsed >= SAMPLE_NANOS) {
            long cpu = cpuNanos();
            double percent = 100.0 * Math.max(0, cpu - lastCpuNanos) / elapsed;
            lastPercent = Math.round(percent * 10) / 10.0;
            lastWallNanos = now;
            lastCpuNanos = cpu;
        }
        return lastPercent;
    }

    private long cpuNanos() {
        long t = os == null ? -1 : os.getProcessCpuTime();
        return Math.max(0, t);
    }
}
