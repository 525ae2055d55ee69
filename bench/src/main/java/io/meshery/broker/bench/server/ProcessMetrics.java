package io.meshery.broker.bench.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and memory of one process, read from Linux {@code /proc/<pid>/stat} and {@code /proc/<pid>/status}.
 *
 * <p>CPU time is {@code utime + stime} (fields 14 and 15 of {@code stat}), in clock ticks of {@code USER_HZ}, which
 * is 100 on Linux regardless of the kernel's own tick rate; resolution is therefore 10 ms. Memory is {@code VmRSS}
 * (resident now) and {@code VmHWM} (the resident high-water mark since the process started).
 *
 * <p>Thread-safety: immutable; each call reads {@code /proc} afresh.
 */
public final class ProcessMetrics {

    private static final long NANOS_PER_TICK = 1_000_000_000L / Long.getLong("bench.userHz", 100L);

    private final long pid;

    /** Metrics of process {@code pid}. */
    public ProcessMetrics(long pid) {
        this.pid = pid;
    }

    /** The process measured. */
    public long pid() {
        return pid;
    }

    /** User plus system CPU time consumed so far, in nanoseconds. */
    public long cpuNanos() throws IOException {
        return parseCpuTicks(read("stat")) * NANOS_PER_TICK;
    }

    /** Resident set size now, in KiB. */
    public long rssKib() throws IOException {
        return parseStatusKib(read("status"), "VmRSS:");
    }

    /** Peak resident set size since start, in KiB. */
    public long peakRssKib() throws IOException {
        return parseStatusKib(read("status"), "VmHWM:");
    }

    private String read(String file) throws IOException {
        return Files.readString(Path.of("/proc", Long.toString(pid), file), StandardCharsets.US_ASCII);
    }

    /**
     * {@code utime + stime} in ticks from a {@code stat} line. The command name (field 2) is in parentheses and may
     * contain spaces, so fields are counted from the last {@code ')'}: field 3 is the first after it.
     */
    static long parseCpuTicks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
    }

    /** The KiB value of a {@code Vm*:} line of {@code status}. */
    static long parseStatusKib(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key)) {
                String value = line.substring(key.length()).trim();
                return Long.parseLong(value.substring(0, value.indexOf(' ')));
            }
        }
        throw new IllegalStateException("no " + key + " in /proc status");
    }
}
