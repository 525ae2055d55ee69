package io.meshery.broker.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SmallPartsTest {

    @Test
    void digitsAreWrittenInPlace() {
        byte[] b = new byte[12];
        for (int n : new int[] {0, 7, 10, 99, 12345, Integer.MAX_VALUE}) {
            int len = Digits.write(n, b, 1);
            assertEquals(Integer.toString(n), new String(b, 1, len, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void pubTailIsSizePayloadAndCrlf() {
        byte[] tail = Payloads.pubTail("abc".getBytes(StandardCharsets.US_ASCII));
        assertEquals(" 3\r\nabc\r\n", new String(tail, StandardCharsets.US_ASCII));
    }

    @Test
    void percentilesUseNearestRank() {
        long[] samples = new long[1000];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = 1000 - i;
        }
        Percentiles p = new Percentiles(samples, samples.length);
        assertEquals(500, p.at(0.50));
        assertEquals(990, p.at(0.99));
        assertEquals(999, p.at(0.999));
        assertEquals(1, p.at(0.0));
        assertEquals(0, new Percentiles(samples, 0).at(0.5));
    }

    @Test
    void flowControlLetsThePublisherRunAheadOnlyByTheWindow() {
        long[] received = {0};
        FlowControl window = FlowControl.window(100, () -> received[0]);
        long deadline = System.nanoTime() + 50_000_000L;
        window.await(100, deadline);
        assertEquals(0, window.pausedNanos(), "within the window: no wait");
        window.await(101, deadline);
        assertEquals(true, window.pausedNanos() > 0, "beyond the window: waits until the deadline");
    }
}
