package io.meshery.broker.bench;

import io.meshery.broker.bench.server.MachineCpu;
import io.meshery.broker.bench.server.ProcessMetrics;
import java.io.IOException;
import java.lang.management.ManagementFactory;

/**
 * CPU and memory used during one timed run: {@link #between} two {@link Snapshot snapshots}.
 *
 * @param serverCpuNanos server {@code utime + stime}
 * @param clientCpuNanos CPU time of this benchmark JVM
 * @param machineNanos   busy CPU time of the whole machine (see {@link MachineCpu})
 * @param wallNanos      wall-clock time
 * @param peakRssKib     server {@code VmHWM} at the end (warm-up included; a fresh process per run)
 */
public record ResourceUsage(long serverCpuNanos, long clientCpuNanos, long machineNanos, long wallNanos,
                            long peakRssKib) {

    /** Nothing measured (a run that failed before its timed part). */
    public static final ResourceUsage NONE = new ResourceUsage(0, 0, 0, 0, 0);

    /** The counters at one instant. */
    public record Snapshot(long serverCpuNanos, long clientCpuNanos, long machineNanos, long nanoTime) {

        /** Reads every counter now. */
        public static Snapshot take(ProcessMetrics server) throws IOException {
            return new Snapshot(server.cpuNanos(), thisJvmCpuNanos(), MachineCpu.busyNanos(), System.nanoTime());
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

    /** Process CPU time of this JVM, all threads, user and system. */
    static long thisJvmCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean hotspot) {
            return hotspot.getProcessCpuTime();
        }
        return 0;
    }
}
