package io.meshery.broker.bench;

import io.meshery.broker.bench.server.MachineCpu;
import io.meshery.broker.bench.server.ProcessMetrics;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU and memory used during one timed run: {@link #between} two {@link Snapshot snapshots}.
 *
 * @param serverCpuNanos server {@code utime + stime}
 * @param clientCpuNanos CPU time of this benchmark JVM and of the client processes it ran to their end during the
 *                       run (the nats.go harness of a {@code go-*} scenario)
 * @param machineNanos   busy CPU time of the whole machine (see {@link MachineCpu})
 * @param wallNanos      wall-clock time
 * @param peakRssKib     server {@code VmHWM} at the end (warm-up included; a fresh process per run)
 */
public record ResourceUsage(long serverCpuNanos, long clientCpuNanos, long machineNanos, long wallNanos,
                            long peakRssKib) {

    private static final long TICK_NANOS = 10_000_000L;

    /** Nothing measured (a run that failed before its timed part). */
    public static final ResourceUsage NONE = new ResourceUsage(0, 0, 0, 0, 0);

    /** The counters at one instant. */
    public record Snapshot(long serverCpuNanos, long clientCpuNanos, long machineNanos, long nanoTime) {

        /** Reads every counter now. */
        public static Snapshot take(ProcessMetrics server) throws IOException {
            return new Snapshot(server.cpuNanos(), thisJvmCpuNanos() + reapedChildrenCpuNanos(),
                    MachineCpu.busyNanos(), System.nanoTime());
        }
    }

    /** Usage from {@code before} to {@code after}, with the server's peak RSS read at the end. */
    public static ResourceUsage between(Snapshot before, Snapshot after, long peakRssKib) {
        return new ResourceUsage(after.serverCpuNanos() - before.serverCpuNanos(),
                after.clientCpuNanos() - before.clientCpuNanos(), after.machineNanos() - before.machineNanos(),
                after.nanoTime() - before.nanoTime(), peakRssKib);
    }

    /** Average cores the server kept busy. */
    public double serverCores() {
        return cores(serverCpuNanos);
    }

    /** Average cores this client kept busy. */
    public double clientCores() {
        return cores(clientCpuNanos);
    }

    /**
     * Average cores busy with anything but the server and this client: other processes, and kernel work charged to
     * neither. Near 0 on a quiet machine; high values mean the run is noisy. 0 when unknown.
     */
    public double otherCores() {
        return machineNanos == 0 ? 0 : cores(Math.max(0, machineNanos - serverCpuNanos - clientCpuNanos));
    }

    private double cores(long cpuNanos) {
        return wallNanos == 0 ? 0 : cpuNanos / (double) wallNanos;
    }

    /**
     * CPU time of this JVM's children that have ended and been waited for ({@code cutime + cstime} of
     * {@code /proc/self/stat}, in the kernel's 100 Hz ticks); 0 where there is no such file. A server process is
     * reaped only after its run's last snapshot, so within a run this grows by the client processes alone.
     */
    static long reapedChildrenCpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is the state (field 3 of proc(5)); cutime and cstime are fields 16 and 17
            return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) * TICK_NANOS;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Process CPU time of this JVM, all threads, user and system. */
    static long thisJvmCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean hotspot) {
            return hotspot.getProcessCpuTime();
        }
        return 0;
    }
}
