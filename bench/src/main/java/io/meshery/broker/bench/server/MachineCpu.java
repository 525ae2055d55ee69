package io.meshery.broker.bench.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Busy CPU time of the whole machine, from the first line of Linux {@code /proc/stat}: user, nice, system, irq and
 * softirq ticks summed over every CPU (idle, iowait and steal are not busy). Subtracting the server's and the
 * client's own CPU time from its delta over a run shows how much else the machine was doing: other processes, and
 * kernel work not charged to either process. A run measured while that is high is noisy.
 */
public final class MachineCpu {

    private static final long NANOS_PER_TICK = 1_000_000_000L / Long.getLong("bench.userHz", 100L);

    private MachineCpu() {
    }

    /** Busy nanoseconds summed over all CPUs since boot; 0 where {@code /proc/stat} is unreadable. */
    public static long busyNanos() {
        try {
            String stat = Files.readString(Path.of("/proc/stat"), StandardCharsets.US_ASCII);
            return parseBusyTicks(stat.substring(0, stat.indexOf('\n'))) * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** {@code user + nice + system + irq + softirq} of a {@code cpu  …} line. */
    static long parseBusyTicks(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        // cpu user nice system idle iowait irq softirq steal guest guest_nice
        return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                + Long.parseLong(f[7]);
    }
}
