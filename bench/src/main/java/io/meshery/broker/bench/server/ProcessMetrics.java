package io.meshery.broker.bench.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * CPU time and memory of one process, or the sum over the processes of a cluster, read from Linux
 * {@code /proc/<pid>/stat} and {@code /proc/<pid>/status}.
 *
 * <p>CPU time is {@code utime + stime} (fields 14 and 15 of {@code stat}), in clock ticks of {@code USER_HZ}, which
 * is 100 on Linux regardless of the kernel's own tick rate; resolution is therefore 10 ms. Memory is {@code VmRSS}
 * (resident now) and {@code VmHWM} (the resident high-water mark since the process started).
 *
 * <p>Thread-safety: immutable; each call reads {@code /proc} afresh.
 */
public final class ProcessMetrics {

    private static final long NANOS_PER_TICK = 1_000_000_000L / Long.getLong("bench.userHz", 100L);

    private final long[] pids;

    /** Metrics of process {@code pid}. */
    public ProcessMetrics(long pid) {
        this.pids = new long[] {pid};
    }

    private ProcessMetrics(long[] pids) {
        this.pids = pids;
    }

    /**
     * The sum over the processes of {@code parts}: CPU time, RSS and peak RSS added up. The peak is the sum of each
     * process's own peak, which may be more than the processes ever held at the same moment.
     */
    public static ProcessMetrics sum(List<ProcessMetrics> parts) {
        return new ProcessMetrics(parts.stream().flatMapToLong(p -> Arrays.stream(p.pids)).toArray());
    }

    /** The process measured (the first one of a sum). */
    public long pid() {
        return pids[0];
    }

    /** User plus system CPU time consumed so far, in nanoseconds. */
    public long cpuNanos() throws IOException {
        long ticks = 0;
        for (long pid : pids) {
            ticks += parseCpuTicks(read(pid, "stat"));
        }
        return ticks * NANOS_PER_TICK;
    }

    /** Resident set size now, in KiB. */
    public long rssKib() throws IOException {
        return statusKib("VmRSS:");
    }

    /** Peak resident set size since start, in KiB. */
    public long peakRssKib() throws IOException {
        return statusKib("VmHWM:");
    }

    private long statusKib(String key) throws IOException {
        long kib = 0;
        for (long pid : pids) {
            kib += parseStatusKib(read(pid, "status"), key);
        }
        return kib;
    }

    private static String read(long pid, String file) throws IOException {
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
