package io.meshery.broker.bench.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcessMetricsTest {

    @Test
    void parsesCpuTicksAfterACommandNameWithSpacesAndParentheses() {
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 30 0 99 0 0";
        assertEquals(1234 + 567, ProcessMetrics.parseCpuTicks(stat));
    }

    @Test
    void parsesStatusKib() {
        String status = "Name:\tnats-server\nVmPeak:\t  999 kB\nVmHWM:\t   31772 kB\nVmRSS:\t   30000 kB\n";
        assertEquals(31772, ProcessMetrics.parseStatusKib(status, "VmHWM:"));
        assertEquals(30000, ProcessMetrics.parseStatusKib(status, "VmRSS:"));
    }

    @Test
    void readsThisProcess() throws Exception {
        ProcessMetrics self = new ProcessMetrics(ProcessHandle.current().pid());
        long rss = self.rssKib();
        assertTrue(rss > 0);
        assertTrue(self.peakRssKib() >= rss);
        assertTrue(self.cpuNanos() > 0);
    }

    @Test
    void machineBusyTimeLeavesOutIdleIowaitAndSteal() {
        assertEquals(1 + 2 + 3 + 6 + 7, MachineCpu.parseBusyTicks("cpu  1 2 3 4 5 6 7 8 9 10"));
        assertTrue(MachineCpu.busyNanos() > 0);
    }
}
